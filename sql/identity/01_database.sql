-- Which database this session is in: its name and oid, and whether this role may
-- read the server's system identifier (pg_control_system() is often revoked from PUBLIC).
SELECT d.datname                                                                       AS database,
       d.oid::pg_catalog.int8                                                          AS database_oid,
       pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') AS may_read_system_identifier
  FROM pg_catalog.pg_database AS d
 WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database();
