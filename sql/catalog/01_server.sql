-- Server, database and extensions: installed ones and the ones the server could install.
SELECT pg_catalog.current_setting('server_version')  AS server_version,
       pg_catalog.current_setting('server_version_num')::int AS server_version_num,
       pg_catalog.current_database()                 AS database,
       current_user                                  AS user_name,
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_object('name', e.extname, 'version', e.extversion, 'schema', n.nspname)
                                 ORDER BY e.extname)
                   FROM pg_catalog.pg_extension AS e
                   JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace), '[]'::json) AS extensions,
       COALESCE((SELECT pg_catalog.json_agg(a.name ORDER BY a.name)
                   FROM pg_catalog.pg_available_extensions AS a), '[]'::json)       AS available_extensions;
