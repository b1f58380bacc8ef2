-- A public library's circulation system, hand-written SQL: natural keys (isbn, member_no,
-- branch_code), singular table names, a few references named for their role.
CREATE TABLE branch (branch_code varchar(6) PRIMARY KEY, name text NOT NULL, address text NOT NULL, opened date);
CREATE TABLE publisher (pub_id serial PRIMARY KEY, name text NOT NULL, city text);
CREATE TABLE author (author_id serial PRIMARY KEY, family_name text NOT NULL, given_names text, born smallint);
CREATE TABLE book (
    isbn char(13) PRIMARY KEY,
    title text NOT NULL,
    pub_id integer,
    pub_year smallint,
    edition smallint DEFAULT 1,
    series_isbn char(13),
    dewey varchar(16)
);
CREATE TABLE book_author (isbn char(13) NOT NULL, author_id integer NOT NULL, ord smallint NOT NULL DEFAULT 1, PRIMARY KEY (isbn, author_id));
CREATE TABLE member (
    member_no integer PRIMARY KEY,
    name text NOT NULL,
    email text,
    home_branch varchar(6) NOT NULL,
    guardian_no integer,
    joined date NOT NULL
);
CREATE TABLE staff (staff_id serial PRIMARY KEY, name text NOT NULL, branch_code varchar(6) NOT NULL, supervisor integer, login text UNIQUE);
CREATE TABLE copy (
    barcode varchar(14) PRIMARY KEY,
    isbn char(13) NOT NULL,
    branch_code varchar(6) NOT NULL,
    acquired date,
    condition text,
    withdrawn_by integer
);
CREATE TABLE loan (
    loan_id bigserial PRIMARY KEY,
    barcode varchar(14) NOT NULL,
    member_no integer NOT NULL,
    issued_at timestamptz NOT NULL,
    due date NOT NULL,
    returned_at timestamptz,
    issued_by integer,
    renewed_from bigint
);
CREATE TABLE reservation (
    reservation_id bigserial PRIMARY KEY,
    member_no integer NOT NULL,
    isbn char(13) NOT NULL,
    pickup_branch varchar(6) NOT NULL,
    placed_at timestamptz NOT NULL,
    fulfilled_by_barcode varchar(14)
);
CREATE TABLE fine (
    fine_id bigserial PRIMARY KEY,
    loan_id bigint NOT NULL,
    amount numeric(8, 2) NOT NULL,
    paid_at timestamptz,
    waived_by integer,
    payment_ref text
);
CREATE TABLE event (event_id serial PRIMARY KEY, branch_code varchar(6) NOT NULL, title text NOT NULL, starts_at timestamptz NOT NULL, host_staff_id integer);
CREATE TABLE event_booking (event_id integer NOT NULL, member_no integer NOT NULL, booked_at timestamptz NOT NULL, PRIMARY KEY (event_id, member_no));

INSERT INTO branch VALUES ('CEN', 'Central', '1 Main St', '1950-01-01'), ('NTH', 'North', '9 Hill Rd', '1982-05-01');
INSERT INTO publisher (name, city) VALUES ('Penguin', 'London');
INSERT INTO author (family_name, given_names) VALUES ('Austen', 'Jane');
INSERT INTO book VALUES ('9780141439518', 'Pride and Prejudice', 1, 2003, 1, NULL, '823.7');
INSERT INTO book_author VALUES ('9780141439518', 1, 1);
INSERT INTO member VALUES (70001, 'Ann Reader', 'ann@example.org', 'CEN', NULL, '2020-02-02'), (70002, 'Tim Reader', NULL, 'CEN', 70001, '2021-03-03');
INSERT INTO staff (name, branch_code, supervisor, login) VALUES ('Head Librarian', 'CEN', NULL, 'head'), ('Assistant', 'NTH', 1, 'asst');
INSERT INTO copy VALUES ('31234000000017', '9780141439518', 'CEN', '2004-01-01', 'good', NULL);
INSERT INTO loan (barcode, member_no, issued_at, due, issued_by) VALUES ('31234000000017', 70002, now(), current_date + 21, 2);
INSERT INTO fine (loan_id, amount, waived_by, payment_ref) VALUES (1, 0.50, 1, 'SQ-88213');
INSERT INTO reservation (member_no, isbn, pickup_branch, placed_at) VALUES (70001, '9780141439518', 'NTH', now());
