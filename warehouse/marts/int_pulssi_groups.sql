-- Grain: month × unit × role group (NULL = all) × question, before suppression.
-- Key: (month, municipality, station_id, role_group, question_id).
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE int_pulssi_groups AS
WITH responses AS (
    SELECT p.month, p.response_id, p.station_id, coalesce(st.municipality, '(tuntematon)') AS municipality,
           r.role_group
    FROM stg_pulssi_responses AS p
    JOIN ref_roles AS r ON r.role_code = p.role
    LEFT JOIN stg_stations AS st ON st.station_id = p.station_id
    WHERE p.month IN (SELECT month FROM build_months)
),
group_responses AS (
    SELECT month, municipality, station_id, role_group, count(*) AS responses
    FROM responses
    GROUP BY GROUPING SETS (
        (month), (month, municipality), (month, municipality, station_id),
        (month, role_group), (month, municipality, role_group), (month, municipality, station_id, role_group)
    )
),
answers AS (
    SELECT r.month, r.municipality, r.station_id, r.role_group, a.question_id, a.answer, q.question_type
    FROM responses AS r
    JOIN stg_pulssi_answers AS a ON a.month = r.month AND a.response_id = r.response_id
    JOIN stg_questions AS q ON q.question_id = a.question_id
),
scores AS (
    SELECT
        month, municipality, station_id, role_group, question_id,
        count(answer) AS respondents,
        avg(answer) FILTER (WHERE question_type = 'likert') AS mean_score,
        (count(*) FILTER (WHERE question_type = 'likert' AND answer >= 4))::DOUBLE
            / nullif(count(*) FILTER (WHERE question_type = 'likert'), 0) AS favourable_share,
        100.0 * ((count(*) FILTER (WHERE question_type = 'enps' AND answer >= 9))::DOUBLE
            - count(*) FILTER (WHERE question_type = 'enps' AND answer <= 6))
            / nullif(count(*) FILTER (WHERE question_type = 'enps'), 0) AS enps
    FROM answers
    GROUP BY GROUPING SETS (
        (month, question_id), (month, municipality, question_id), (month, municipality, station_id, question_id),
        (month, role_group, question_id), (month, municipality, role_group, question_id),
        (month, municipality, station_id, role_group, question_id)
    )
),
month_questions AS (SELECT DISTINCT month, question_id FROM answers),
headcounts AS (
    SELECT month, municipality, station_id, role_group, headcount FROM int_sick_leave_groups WHERE month IN (SELECT month FROM build_months)
)
SELECT
    g.month, g.municipality, g.station_id, g.role_group, mq.question_id,
    q.question_type,
    coalesce(s.respondents, 0) AS respondents,
    g.responses,
    h.headcount,
    g.responses::DOUBLE / nullif(h.headcount, 0) AS participation_rate,
    s.mean_score, s.favourable_share, s.enps
FROM group_responses AS g
JOIN month_questions AS mq ON mq.month = g.month
JOIN stg_questions AS q ON q.question_id = mq.question_id
LEFT JOIN scores AS s
    ON s.month = g.month AND s.question_id = mq.question_id
    AND s.municipality IS NOT DISTINCT FROM g.municipality AND s.station_id IS NOT DISTINCT FROM g.station_id
    AND s.role_group IS NOT DISTINCT FROM g.role_group
LEFT JOIN headcounts AS h
    ON h.month = g.month
    AND h.municipality IS NOT DISTINCT FROM g.municipality AND h.station_id IS NOT DISTINCT FROM g.station_id
    AND h.role_group IS NOT DISTINCT FROM g.role_group;
