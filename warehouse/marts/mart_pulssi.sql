-- Grain: month × unit × role group (NULL = all) × question. Key: (month, municipality, station_id, role_group,
-- question_id); municipality NULL = region, station_id NULL = municipality or region total.
-- Scores are empty where the group is suppressed (primary: respondents < k; secondary: see suppression.py).
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE mart_pulssi AS
SELECT
    month, municipality, station_id, role_group, question_id, question_type,
    respondents,
    responses,
    headcount,
    participation_rate,
    CASE WHEN suppressed THEN NULL ELSE mean_score END AS mean_score,
    CASE WHEN suppressed THEN NULL ELSE favourable_share END AS favourable_share,
    CASE WHEN suppressed THEN NULL ELSE enps END AS enps,
    suppressed
FROM int_pulssi_suppressed
WHERE month IN (SELECT month FROM build_months);
