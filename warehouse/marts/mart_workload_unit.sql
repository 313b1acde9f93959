-- Grain: month × unit (region, municipality, station). Key: (month, level, municipality, station_id).
-- `level` is 'region' (municipality and station_id NULL), 'municipality' (station_id NULL) or 'station'.
-- Built only from the published station figures of mart_workload (contract revision 2: totals from published
-- station figures), so a unit total adds nothing to what the station rows show. Over the stations of the unit:
-- load ratio = Σ required / Σ capacity over the stations with a ratio (f_load_ratio); spread = coefficient of
-- variation of the station ratios (f_load_ratio_cv) with min, max and range; overload share = share of stations
-- with a ratio above ref_settings.overload_ratio (f_overload_share), stored in `overload_threshold`. Sums are
-- ordered by station so that two loads of the same files give byte-identical values.
-- No unit total is suppressed in the warehouse (every input is already a published figure); the rule that hides a
-- total from a station manager (it would be another station's figure by subtraction) depends on the user and is
-- applied by the query layer (dashboard/scope.py). `capacity_withheld_stations` counts the stations with
-- secretaries whose capacity mart_workload withholds (so the sums leave them out), `capacity_estimated_stations`
-- those whose published capacity is the contract's estimate.
CREATE OR REPLACE TABLE mart_workload_unit AS
WITH station AS (
    SELECT w.*, s.municipality
    FROM mart_workload AS w
    LEFT JOIN stg_stations AS s USING (station_id)
)
SELECT
    c.month,
    CASE WHEN grouping(c.municipality) = 1 THEN 'region'
         WHEN grouping(c.station_id) = 1 THEN 'municipality'
         ELSE 'station' END AS level,
    c.municipality,
    c.station_id,
    f_load_ratio(
        sum(c.required_hours_week ORDER BY c.station_id) FILTER (WHERE c.load_ratio IS NOT NULL),
        sum(c.capacity_hours_week ORDER BY c.station_id) FILTER (WHERE c.load_ratio IS NOT NULL)
    ) AS load_ratio,
    sum(c.required_hours_week ORDER BY c.station_id) AS required_hours_week,
    sum(c.capacity_hours_week ORDER BY c.station_id) AS capacity_hours_week,
    sum(c.secretary_fte ORDER BY c.station_id) AS secretary_fte,
    sum(c.secretary_net_fte ORDER BY c.station_id) AS secretary_net_fte,
    f_load_ratio_cv(c.load_ratio) AS load_ratio_cv,
    f_overload_share(c.load_ratio, (SELECT overload_ratio FROM ref_settings)) AS overload_share,
    min(c.load_ratio) AS load_ratio_min,
    max(c.load_ratio) AS load_ratio_max,
    max(c.load_ratio) - min(c.load_ratio) AS load_ratio_range,
    count(c.load_ratio) AS stations_with_ratio,
    count(*) FILTER (WHERE c.load_ratio > (SELECT overload_ratio FROM ref_settings)) AS stations_overloaded,
    count(*) AS stations,
    count(*) FILTER (WHERE c.capacity_estimated) AS capacity_estimated_stations,
    count(*) FILTER (WHERE c.secretary_fte > 0 AND c.secretary_net_fte IS NULL) AS capacity_withheld_stations,
    (SELECT overload_ratio FROM ref_settings) AS overload_threshold
FROM station AS c
GROUP BY GROUPING SETS ((c.month), (c.month, c.municipality), (c.month, c.municipality, c.station_id));
