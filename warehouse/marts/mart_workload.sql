-- Grain: station × month (months in which the station has staffing rows). Key: (station_id, month).
-- Published figures only (contract, "Absence-derived figures are health data too"): where the station's secretary
-- roles hold fewer than k people, `secretary_net_fte`, `capacity_hours_week` and `load_ratio` are the estimate of
-- int_workload_capacity (their sick leave at the region's secretary rate) and `capacity_estimated` is true. The
-- estimate carries the region's secretary rate r, so it is published only where mart_sick_leave shows that rate
-- itself (the region's secretaries are at least k and no secondary suppression hid them): otherwise r, set against
-- the shown rates of the rest of the region, would give back the sick leave of the station's few secretaries. Such
-- rows publish no secretary net FTE, capacity or load ratio.
-- The station's absence totals (`net_fte`, `other_absence_days`) are shown only where they cannot be set against
-- a published figure to give the absence of fewer than k people: the station's sick leave is shown, and its
-- secretaries and its other staff each number none or at least k (otherwise net_fte − secretary net FTE would be
-- the other staff's absence, or would undo the estimate). The station's unweighted sick-day count is not published:
-- set against the FTE-weighted rate, it singles out the sick leave of the part-timers. See docs/marts.md.
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE mart_workload AS
WITH published AS (
    SELECT
        c.*,
        CASE
            WHEN NOT c.capacity_estimated THEN c.actual_secretary_net_fte
            WHEN c.secretaries > 0 AND (c.region_secretaries < s.k_anonymity OR coalesce(r.suppressed, TRUE)) THEN NULL
            ELSE c.estimated_secretary_net_fte
        END AS published_net_fte,
        s.weekly_hours,
        s.k_anonymity
    FROM int_workload_capacity AS c
    CROSS JOIN ref_settings AS s
    LEFT JOIN mart_sick_leave AS r
        ON r.month = c.month AND r.municipality IS NULL AND r.station_id IS NULL AND r.role_group = 'sihteerit'
    WHERE c.month IN (SELECT month FROM build_months)
)
SELECT
    c.station_id,
    c.month,
    c.secretary_fte,
    c.published_net_fte AS secretary_net_fte,
    f_capacity_hours(c.published_net_fte, c.weekly_hours) AS capacity_hours_week,
    c.required_hours_week,
    f_load_ratio(c.required_hours_week, f_capacity_hours(c.published_net_fte, c.weekly_hours)) AS load_ratio,
    c.capacity_estimated,
    c.headcount,
    sl.sick_leave_rate,
    coalesce(sl.suppressed, TRUE) AS sick_leave_suppressed,
    -- Why the rate is hidden, decided with the k this warehouse was built with: 'small_group' (fewer than k people)
    -- or 'secondary' (hidden so that no small group can be recovered from the shown rates); NULL when shown.
    CASE WHEN NOT coalesce(sl.suppressed, TRUE) THEN NULL
         WHEN c.headcount < c.k_anonymity THEN 'small_group' ELSE 'secondary' END AS sick_leave_suppression_reason,
    c.fte,
    CASE WHEN NOT coalesce(sl.suppressed, TRUE)
              AND (c.secretaries = 0 OR c.secretaries >= c.k_anonymity)
              AND (c.other_staff = 0 OR c.other_staff >= c.k_anonymity)
        THEN c.net_fte END AS net_fte,
    CASE WHEN NOT coalesce(sl.suppressed, TRUE)
              AND (c.secretaries = 0 OR c.secretaries >= c.k_anonymity)
              AND (c.other_staff = 0 OR c.other_staff >= c.k_anonymity)
        THEN c.other_absence_days END AS other_absence_days,
    c.mapping_date
FROM published AS c
LEFT JOIN mart_sick_leave AS sl
    ON sl.station_id = c.station_id AND sl.month = c.month AND sl.role_group IS NULL;
