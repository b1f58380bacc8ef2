-- Containment probe for one guessed reference (columns whose names alone do not
-- settle what they point at): of a bounded sample of the child's non-NULL values,
-- how many exist in the candidate key? All of them: the data agrees with the name;
-- some missing: the column holds something else (an id issued by another system).
-- The sample is the first {sample} rows the scan meets, so the probe costs a few
-- index lookups whatever the table's size. {k} numbers the guess within a batch;
-- {values} are the child's columns as v0, v1, ..., {match} compares them with the key.
(WITH s AS (SELECT DISTINCT l.*
              FROM (SELECT {values}
                      FROM {child} AS c
                     WHERE {present}
                     LIMIT {sample}) AS l)
 SELECT {k}::integer AS k,
        count(*)::integer AS sampled,
        (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})))::integer AS found
   FROM s)
