-- A record label's catalogue, written by hand years ago: singular table names,
-- references named after the table they point at (no _id), natural keys.
CREATE TABLE country (code char(2) PRIMARY KEY, name text NOT NULL);
CREATE TABLE language (code char(3) PRIMARY KEY, name text NOT NULL);
CREATE TABLE artist (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    sort_name text NOT NULL,
    country char(2),
    begin_year smallint,
    mbid uuid UNIQUE
);
CREATE TABLE label (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, country char(2), parent integer);
CREATE TABLE release (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    artist integer NOT NULL,
    language char(3),
    released date,
    barcode text
);
CREATE TABLE release_label (
    release integer NOT NULL,
    label integer NOT NULL,
    catalog_number text,
    PRIMARY KEY (release, label)
);
CREATE TABLE medium (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, release integer NOT NULL, position smallint NOT NULL, format text);
CREATE TABLE recording (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL, artist integer NOT NULL, length_ms integer);
CREATE TABLE track (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    medium integer NOT NULL,
    recording integer NOT NULL,
    position smallint NOT NULL,
    title text NOT NULL
);
CREATE TABLE employee (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    reports_to integer,
    label integer
);
CREATE TABLE contract (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist integer NOT NULL,
    label integer NOT NULL,
    signed_by integer,
    signed date NOT NULL,
    royalty_rate numeric(5, 4)
);
CREATE TABLE royalty_statement (
    contract integer NOT NULL,
    period date NOT NULL,
    amount numeric(12, 2) NOT NULL,
    currency char(3) NOT NULL,
    PRIMARY KEY (contract, period)
);
CREATE TABLE royalty_payment (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract integer NOT NULL,
    period date NOT NULL,
    paid_on date NOT NULL,
    bank_reference text
);

INSERT INTO country VALUES ('GB', 'United Kingdom'), ('DE', 'Germany'), ('US', 'United States');
INSERT INTO language VALUES ('eng', 'English'), ('deu', 'German');
INSERT INTO artist (name, sort_name, country) VALUES ('The Examples', 'Examples, The', 'GB'), ('Muster', 'Muster', 'DE');
INSERT INTO label (name, country, parent) VALUES ('Big Label', 'US', NULL), ('Small Imprint', 'GB', 1);
INSERT INTO release (title, artist, language) VALUES ('First', 1, 'eng'), ('Zweite', 2, 'deu');
INSERT INTO release_label VALUES (1, 1, 'BL-001'), (2, 2, 'SI-002');
INSERT INTO medium (release, position, format) VALUES (1, 1, 'CD'), (2, 1, 'Vinyl');
INSERT INTO recording (title, artist) VALUES ('Song A', 1), ('Lied B', 2);
INSERT INTO track (medium, recording, position, title) VALUES (1, 1, 1, 'Song A'), (2, 2, 1, 'Lied B');
INSERT INTO employee (name, reports_to, label) VALUES ('Boss', NULL, 1), ('A&R', 1, 2);
INSERT INTO contract (artist, label, signed_by, signed) VALUES (1, 1, 1, '2020-01-01'), (2, 2, 2, '2021-06-01');
INSERT INTO royalty_statement VALUES (1, '2024-01-01', 100, 'EUR'), (2, '2024-01-01', 50, 'EUR');
INSERT INTO royalty_payment (contract, period, paid_on) VALUES (1, '2024-01-01', '2024-02-01');
