-- C6: running or pending work frozen to a DRAFT configuration version.
SELECT i.{i_key}::text      AS instance,
       i.{i_status}::text   AS status,
       v.{v_key}::text      AS config_version,
       v.{v_ws}::text       AS workspace,
       v.{version}          AS version,
       pg_catalog.count(*) OVER ()     AS total
  FROM {instances} AS i
  JOIN {versions} AS v ON v.{v_key}::text = i.{i_config}::text
 WHERE i.{i_status}::text = ANY ({running}::text[])
   AND v.{status}::text = {draft}
 ORDER BY 4, 1
 LIMIT {limit};
