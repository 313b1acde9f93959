-- One row per month × person (pseudonym) × station: renamed and cast only.
CREATE OR REPLACE VIEW stg_staffing AS
SELECT kuukausi AS month, henkilo_id AS person_key, asema_id AS station_id, rooli AS role,
       tyoaikaprosentti AS fte_percent, palvelussuhde AS employment_type,
       sairauspoissaolo_pv AS sick_days, coalesce(muu_poissaolo_pv, 0) AS other_absence_days
FROM raw_henkilosto;
