-- Grain: round number × unit (region, municipality, station) × task group (NULL = all groups).
-- Key: (round_no, level, municipality, station_id, task_group). `level` as in mart_workload_unit.
-- Each station's n-th mapping round (counted from its first, round_no = n) summed to the unit by
-- int_compliance_unit_sums, as mart_compliance_unit does for the latest round of every month: the round selector of
-- the Työnjaon toteutuminen page compares the first, second, … rounds of the stations.
CREATE OR REPLACE TABLE mart_compliance_round_unit AS
SELECT round_no, level, municipality, station_id, task_group, total_hours_week, compliant_hours_week, compliance_share,
       clinician_admin_hours_week, stations_mapped, first_mapping_date, last_mapping_date
FROM int_compliance_unit_sums
WHERE period_kind = 'round';
