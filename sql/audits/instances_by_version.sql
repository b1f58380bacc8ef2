-- Workspaces page: workflow instances by the version they are frozen to and their status.
SELECT v.{v_ws}::text        AS workspace,
       v.{version}           AS version,
       v.{status}::text      AS version_status,
       i.{i_status}::text    AS instance_status,
       pg_catalog.count(*)              AS instances
  FROM {instances} AS i
  LEFT JOIN {versions} AS v ON v.{v_key}::text = i.{i_config}::text
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 4;
