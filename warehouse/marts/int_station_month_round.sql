-- Grain: station × month. Key: (station_id, month). Internal.
-- "The latest mapping round on or before the month's end", defined once: for every month of the warehouse (staffing,
-- Pulssi and mapping months) and every station mapped by then, the date of its latest mapping round on or before the
-- month's last day. mart_workload's required hours and mart_compliance_unit read it; a station-month without a row
-- here has no mapping round yet.
CREATE OR REPLACE TABLE int_station_month_round AS
WITH months AS (
    SELECT DISTINCT month FROM int_staff_months
    UNION SELECT DISTINCT month FROM stg_pulssi_responses
    UNION SELECT DISTINCT date_trunc('month', mapping_date)::DATE FROM stg_mappings
),
rounds AS (SELECT DISTINCT station_id, mapping_date FROM stg_mappings)
SELECT r.station_id, m.month, max(r.mapping_date) AS mapping_date
FROM months AS m
JOIN rounds AS r ON r.mapping_date <= last_day(m.month)
GROUP BY r.station_id, m.month;
