-- C4 and the Workspaces page: every workspace with its versions by status.
SELECT w.{ws_key}::text                                              AS workspace,
       {ws_name}                                                      AS name,
       pg_catalog.count(v.{v_key})                                               AS versions,
       pg_catalog.count(v.{v_key}) FILTER (WHERE v.{status}::text = {active})   AS active,
       pg_catalog.count(v.{v_key}) FILTER (WHERE v.{status}::text = {draft})    AS draft,
       pg_catalog.count(v.{v_key}) FILTER (WHERE v.{status}::text = {archived}) AS archived,
       COALESCE(pg_catalog.json_agg(pg_catalog.json_build_object('id', v.{v_key}::text, 'version', v.{version}, 'status', v.{status}::text)
                         ORDER BY v.{version}) FILTER (WHERE v.{v_key} IS NOT NULL), '[]'::json) AS version_list
  FROM {workspaces} AS w
  LEFT JOIN {versions} AS v ON v.{v_ws}::text = w.{ws_key}::text
 GROUP BY w.{ws_key}
 ORDER BY 2, 1;
