-- C3: configuration versions that break the lifecycle rules, one row per violation.
SELECT 'illegal_status' AS rule, v.{row_id}::text AS row_id, v.{workspace}::text AS workspace,
       v.{version} AS version, v.{status}::text AS status
  FROM {versions} AS v
 WHERE v.{status} IS NULL OR NOT (v.{status}::text = ANY ({statuses}::text[]))
UNION ALL
SELECT 'active_without_activation', v.{row_id}::text, v.{workspace}::text, v.{version}, v.{status}::text
  FROM {versions} AS v
 WHERE v.{status}::text = {active} AND {missing_activation}
UNION ALL
SELECT 'non_positive_version', v.{row_id}::text, v.{workspace}::text, v.{version}, v.{status}::text
  FROM {versions} AS v
 WHERE v.{version} IS NULL OR v.{version} <= 0
UNION ALL
SELECT 'duplicate_version', NULL, d.workspace, d.version, d.copies::text
  FROM (SELECT v.{workspace}::text AS workspace, v.{version} AS version, pg_catalog.count(*) AS copies
          FROM {versions} AS v
         GROUP BY 1, 2
        HAVING pg_catalog.count(*) > 1) AS d
 ORDER BY 1, 3, 4
 LIMIT {limit};
