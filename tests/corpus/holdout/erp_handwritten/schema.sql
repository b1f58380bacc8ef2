-- A wholesaler's order entry, hand-written in the 2000s: abbreviated names, natural keys
-- named *_no and *_code, references that repeat the key's name.
CREATE TABLE region (region_code char(2) PRIMARY KEY, descr varchar(40) NOT NULL);
CREATE TABLE salesrep (rep_no integer PRIMARY KEY, name varchar(40) NOT NULL, region_code char(2) NOT NULL, mgr_rep_no integer);
CREATE TABLE cust (
    cust_no integer PRIMARY KEY,
    name varchar(60) NOT NULL,
    region_code char(2),
    rep_no integer,
    credit_limit numeric(12, 2),
    bill_to_cust_no integer,
    tax_id varchar(20)
);
CREATE TABLE cust_contact (cust_no integer NOT NULL, seq smallint NOT NULL, name varchar(60) NOT NULL, phone varchar(30), PRIMARY KEY (cust_no, seq));
CREATE TABLE uom (uom_code varchar(4) PRIMARY KEY, descr varchar(30) NOT NULL);
CREATE TABLE vendor (vendor_no integer PRIMARY KEY, name varchar(60) NOT NULL, currency char(3) NOT NULL);
CREATE TABLE currency (currency char(3) PRIMARY KEY, descr varchar(30) NOT NULL);
CREATE TABLE item (
    item_code varchar(20) PRIMARY KEY,
    descr varchar(80) NOT NULL,
    uom_code varchar(4) NOT NULL,
    vendor_no integer,
    vendor_item_code varchar(30),
    list_price numeric(12, 2) NOT NULL,
    replaced_by_item_code varchar(20)
);
CREATE TABLE warehouse (whse_code char(3) PRIMARY KEY, descr varchar(40) NOT NULL, region_code char(2));
CREATE TABLE stock (item_code varchar(20) NOT NULL, whse_code char(3) NOT NULL, qty_on_hand numeric(12, 3) NOT NULL, PRIMARY KEY (item_code, whse_code));
CREATE TABLE ord_hdr (
    ord_no integer PRIMARY KEY,
    cust_no integer NOT NULL,
    ship_to_seq smallint,
    ord_date date NOT NULL,
    rep_no integer,
    whse_code char(3) NOT NULL,
    currency char(3) NOT NULL,
    cust_po_no varchar(30),
    status char(1) NOT NULL
);
CREATE TABLE ord_line (
    ord_no integer NOT NULL,
    line_no smallint NOT NULL,
    item_code varchar(20) NOT NULL,
    qty numeric(12, 3) NOT NULL,
    uom_code varchar(4) NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (ord_no, line_no)
);
CREATE TABLE inv_hdr (inv_no integer PRIMARY KEY, ord_no integer NOT NULL, cust_no integer NOT NULL, inv_date date NOT NULL, total numeric(12, 2) NOT NULL);
CREATE TABLE inv_line (inv_no integer NOT NULL, line_no smallint NOT NULL, ord_no integer NOT NULL, ord_line_no smallint NOT NULL, amount numeric(12, 2) NOT NULL, PRIMARY KEY (inv_no, line_no));
CREATE TABLE shipment (ship_no integer PRIMARY KEY, ord_no integer NOT NULL, whse_code char(3) NOT NULL, carrier varchar(20), tracking_no varchar(40), shipped_on date);

INSERT INTO region VALUES ('NE', 'North East'), ('SW', 'South West');
INSERT INTO salesrep VALUES (10, 'Pat', 'NE', NULL), (11, 'Sam', 'SW', 10);
INSERT INTO currency VALUES ('USD', 'US dollar'), ('EUR', 'Euro');
INSERT INTO vendor VALUES (500, 'Acme Supply', 'USD');
INSERT INTO uom VALUES ('EA', 'each'), ('BOX', 'box of 12');
INSERT INTO item VALUES ('W-100', 'Widget', 'EA', 500, 'AC-W100', 2.50, NULL), ('W-200', 'Widget XL', 'EA', 500, 'AC-W200', 3.75, 'W-100');
INSERT INTO warehouse VALUES ('E01', 'East', 'NE');
INSERT INTO cust VALUES (1000, 'Main Street Hardware', 'NE', 10, 5000, NULL, '12-3456789'), (1001, 'Main Street Branch', 'NE', 10, 1000, 1000, NULL);
INSERT INTO ord_hdr VALUES (9001, 1000, NULL, '2024-03-01', 10, 'E01', 'USD', 'PO-77', 'O');
INSERT INTO ord_line VALUES (9001, 1, 'W-100', 24, 'EA', 2.50);
INSERT INTO shipment VALUES (1, 9001, 'E01', 'UPS', '1Z999AA10123456784', '2024-03-02');
