-- Grain: month × unit × role group (NULL = all). Key: (month, municipality, station_id, role_group).
-- Sick-leave rate with primary (headcount < k) and secondary suppression applied (int_sick_leave_suppressed).
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE mart_sick_leave AS
SELECT
    month,
    municipality,
    station_id,
    role_group,
    headcount,
    fte,
    CASE WHEN suppressed THEN NULL ELSE sick_leave_rate END AS sick_leave_rate,
    suppressed
FROM int_sick_leave_suppressed
WHERE month IN (SELECT month FROM build_months);
