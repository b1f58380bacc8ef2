-- The server's system identifier: set by initdb, the same on its physical replicas, new for a new cluster.
SELECT s.system_identifier::pg_catalog.text AS system_identifier
  FROM pg_catalog.pg_control_system() AS s;
