-- A music store in the shape of the Chinook sample (PostgreSQL port with quoted PascalCase names).
CREATE TABLE "Artist" ("ArtistId" integer NOT NULL, "Name" varchar(120), CONSTRAINT "PK_Artist" PRIMARY KEY ("ArtistId"));
CREATE TABLE "Album" ("AlbumId" integer NOT NULL, "Title" varchar(160) NOT NULL, "ArtistId" integer NOT NULL, CONSTRAINT "PK_Album" PRIMARY KEY ("AlbumId"));
CREATE TABLE "Genre" ("GenreId" integer NOT NULL, "Name" varchar(120), CONSTRAINT "PK_Genre" PRIMARY KEY ("GenreId"));
CREATE TABLE "MediaType" ("MediaTypeId" integer NOT NULL, "Name" varchar(120), CONSTRAINT "PK_MediaType" PRIMARY KEY ("MediaTypeId"));
CREATE TABLE "Track" (
    "TrackId" integer NOT NULL,
    "Name" varchar(200) NOT NULL,
    "AlbumId" integer,
    "MediaTypeId" integer NOT NULL,
    "GenreId" integer,
    "Composer" varchar(220),
    "Milliseconds" integer NOT NULL,
    "Bytes" integer,
    "UnitPrice" numeric(10,2) NOT NULL,
    CONSTRAINT "PK_Track" PRIMARY KEY ("TrackId")
);
CREATE TABLE "Employee" (
    "EmployeeId" integer NOT NULL,
    "LastName" varchar(20) NOT NULL,
    "FirstName" varchar(20) NOT NULL,
    "Title" varchar(30),
    "ReportsTo" integer,
    "BirthDate" timestamp,
    "HireDate" timestamp,
    "Email" varchar(60),
    CONSTRAINT "PK_Employee" PRIMARY KEY ("EmployeeId")
);
CREATE TABLE "Customer" (
    "CustomerId" integer NOT NULL,
    "FirstName" varchar(40) NOT NULL,
    "LastName" varchar(20) NOT NULL,
    "Company" varchar(80),
    "Country" varchar(40),
    "Email" varchar(60) NOT NULL,
    "SupportRepId" integer,
    CONSTRAINT "PK_Customer" PRIMARY KEY ("CustomerId")
);
CREATE TABLE "Invoice" (
    "InvoiceId" integer NOT NULL,
    "CustomerId" integer NOT NULL,
    "InvoiceDate" timestamp NOT NULL,
    "BillingCountry" varchar(40),
    "Total" numeric(10,2) NOT NULL,
    CONSTRAINT "PK_Invoice" PRIMARY KEY ("InvoiceId")
);
CREATE TABLE "InvoiceLine" (
    "InvoiceLineId" integer NOT NULL,
    "InvoiceId" integer NOT NULL,
    "TrackId" integer NOT NULL,
    "UnitPrice" numeric(10,2) NOT NULL,
    "Quantity" integer NOT NULL,
    CONSTRAINT "PK_InvoiceLine" PRIMARY KEY ("InvoiceLineId")
);
CREATE TABLE "Playlist" ("PlaylistId" integer NOT NULL, "Name" varchar(120), CONSTRAINT "PK_Playlist" PRIMARY KEY ("PlaylistId"));
CREATE TABLE "PlaylistTrack" ("PlaylistId" integer NOT NULL, "TrackId" integer NOT NULL, CONSTRAINT "PK_PlaylistTrack" PRIMARY KEY ("PlaylistId", "TrackId"));
CREATE INDEX "IFK_AlbumArtistId" ON "Album" ("ArtistId");
CREATE INDEX "IFK_CustomerSupportRepId" ON "Customer" ("SupportRepId");
CREATE INDEX "IFK_EmployeeReportsTo" ON "Employee" ("ReportsTo");
