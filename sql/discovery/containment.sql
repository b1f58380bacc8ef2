-- Containment probe for one guessed reference (columns whose names alone do not
-- settle what they point at): of a bounded sample of the child's rows with the
-- columns set, how many find their values in the candidate key? All of them: the
-- data agrees with the name; some not: the column holds something else (an id
-- issued by another system, a name, an e-mail). The sample is the first {sample}
-- rows the scan meets and each is one index probe (LIMIT 1), so the cost does not
-- grow with the table. {k} numbers the guess within a batch; {values} are the
-- child's columns as v0, v1, ..., {match} compares them with the key.
(SELECT {k}::integer AS k,
        count(*)::integer AS sampled,
        count(p.hit)::integer AS found
   FROM (SELECT {values}
           FROM {child} AS c
          WHERE {present}
          LIMIT {sample}) AS s
   LEFT JOIN LATERAL (SELECT 1 AS hit FROM {parent} AS p WHERE {match} LIMIT 1) AS p ON true)
