-- A manufacturer's sales database in the shape of AdventureWorks (the PostgreSQL port:
-- lower-case names with no separators, one schema per department), foreign keys dropped.
CREATE SCHEMA person;
CREATE SCHEMA humanresources;
CREATE SCHEMA production;
CREATE SCHEMA purchasing;
CREATE SCHEMA sales;

CREATE TABLE person.businessentity (businessentityid serial PRIMARY KEY, rowguid uuid NOT NULL, modifieddate timestamp NOT NULL);
CREATE TABLE person.person (
    businessentityid integer PRIMARY KEY,
    persontype character(2) NOT NULL,
    title varchar(8),
    firstname varchar(50) NOT NULL,
    lastname varchar(50) NOT NULL,
    emailpromotion integer NOT NULL,
    modifieddate timestamp NOT NULL
);
CREATE TABLE person.countryregion (countryregioncode varchar(3) PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE person.stateprovince (
    stateprovinceid serial PRIMARY KEY,
    stateprovincecode character(3) NOT NULL,
    countryregioncode varchar(3) NOT NULL,
    name varchar(50) NOT NULL,
    territoryid integer NOT NULL
);
CREATE TABLE person.address (
    addressid serial PRIMARY KEY,
    addressline1 varchar(60) NOT NULL,
    addressline2 varchar(60),
    city varchar(30) NOT NULL,
    stateprovinceid integer NOT NULL,
    postalcode varchar(15) NOT NULL
);
CREATE TABLE person.emailaddress (businessentityid integer NOT NULL, emailaddressid serial NOT NULL, emailaddress varchar(50), PRIMARY KEY (businessentityid, emailaddressid));
CREATE TABLE person.addresstype (addresstypeid serial PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE person.businessentityaddress (
    businessentityid integer NOT NULL,
    addressid integer NOT NULL,
    addresstypeid integer NOT NULL,
    PRIMARY KEY (businessentityid, addressid, addresstypeid)
);
CREATE TABLE humanresources.department (departmentid smallserial PRIMARY KEY, name varchar(50) NOT NULL, groupname varchar(50) NOT NULL);
CREATE TABLE humanresources.shift (shiftid smallserial PRIMARY KEY, name varchar(50) NOT NULL, starttime time NOT NULL, endtime time NOT NULL);
CREATE TABLE humanresources.employee (
    businessentityid integer PRIMARY KEY,
    nationalidnumber varchar(15) NOT NULL,
    loginid varchar(256) NOT NULL,
    jobtitle varchar(50) NOT NULL,
    birthdate date NOT NULL,
    hiredate date NOT NULL
);
CREATE TABLE humanresources.employeedepartmenthistory (
    businessentityid integer NOT NULL,
    departmentid smallint NOT NULL,
    shiftid smallint NOT NULL,
    startdate date NOT NULL,
    enddate date,
    PRIMARY KEY (businessentityid, startdate, departmentid, shiftid)
);
CREATE TABLE production.productcategory (productcategoryid serial PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE production.productsubcategory (productsubcategoryid serial PRIMARY KEY, productcategoryid integer NOT NULL, name varchar(50) NOT NULL);
CREATE TABLE production.productmodel (productmodelid serial PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE production.product (
    productid serial PRIMARY KEY,
    name varchar(50) NOT NULL,
    productnumber varchar(25) NOT NULL,
    color varchar(15),
    listprice numeric NOT NULL,
    productsubcategoryid integer,
    productmodelid integer,
    sellstartdate timestamp NOT NULL
);
CREATE TABLE purchasing.shipmethod (shipmethodid serial PRIMARY KEY, name varchar(50) NOT NULL, shipbase numeric NOT NULL, shiprate numeric NOT NULL);
CREATE TABLE purchasing.vendor (businessentityid integer PRIMARY KEY, accountnumber varchar(15) NOT NULL, name varchar(50) NOT NULL, creditrating smallint NOT NULL);
CREATE TABLE purchasing.purchaseorderheader (
    purchaseorderid serial PRIMARY KEY,
    status smallint NOT NULL,
    employeeid integer NOT NULL,
    vendorid integer NOT NULL,
    shipmethodid integer NOT NULL,
    orderdate timestamp NOT NULL,
    subtotal numeric NOT NULL
);
CREATE TABLE sales.salesterritory (territoryid serial PRIMARY KEY, name varchar(50) NOT NULL, countryregioncode varchar(3) NOT NULL, "group" varchar(50) NOT NULL);
CREATE TABLE sales.salesperson (businessentityid integer PRIMARY KEY, territoryid integer, salesquota numeric, bonus numeric NOT NULL);
CREATE TABLE sales.store (businessentityid integer PRIMARY KEY, name varchar(50) NOT NULL, salespersonid integer);
CREATE TABLE sales.customer (customerid serial PRIMARY KEY, personid integer, storeid integer, territoryid integer);
CREATE TABLE sales.creditcard (creditcardid serial PRIMARY KEY, cardtype varchar(50) NOT NULL, cardnumber varchar(25) NOT NULL);
CREATE TABLE sales.currency (currencycode character(3) PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE sales.currencyrate (
    currencyrateid serial PRIMARY KEY,
    currencyratedate timestamp NOT NULL,
    fromcurrencycode character(3) NOT NULL,
    tocurrencycode character(3) NOT NULL,
    averagerate numeric NOT NULL
);
CREATE TABLE sales.specialoffer (specialofferid serial PRIMARY KEY, description varchar(255) NOT NULL, discountpct numeric NOT NULL);
CREATE TABLE sales.specialofferproduct (specialofferid integer NOT NULL, productid integer NOT NULL, PRIMARY KEY (specialofferid, productid));
CREATE TABLE sales.salesorderheader (
    salesorderid serial PRIMARY KEY,
    orderdate timestamp NOT NULL,
    status smallint NOT NULL,
    customerid integer NOT NULL,
    salespersonid integer,
    territoryid integer,
    billtoaddressid integer NOT NULL,
    shiptoaddressid integer NOT NULL,
    shipmethodid integer NOT NULL,
    creditcardid integer,
    creditcardapprovalcode varchar(15),
    currencyrateid integer,
    subtotal numeric NOT NULL
);
CREATE TABLE sales.salesorderdetail (
    salesorderid integer NOT NULL,
    salesorderdetailid serial NOT NULL,
    carriertrackingnumber varchar(25),
    orderqty smallint NOT NULL,
    productid integer NOT NULL,
    specialofferid integer NOT NULL,
    unitprice numeric NOT NULL,
    PRIMARY KEY (salesorderid, salesorderdetailid)
);
