-- How Redshift ML users keep model history (dated copies, drop-and-recreate), run unchanged
-- through modelgres, and then the same story with real versions.
-- Needs the demo data: psql ... -f examples/bike-share.sql, then psql ... -f examples/redshift-versioning.sql
\set ON_ERROR_STOP on

-- Two years of rentals with their dates (the demo table is in hour order).
DROP TABLE IF EXISTS rentals_history;
CREATE TABLE rentals_history AS
SELECT date '2023-01-01' + ((row_number() OVER () - 1) / 24)::int AS ride_date, *
FROM bike_share;

DROP MODEL IF EXISTS predict_rental_count;
DROP MODEL IF EXISTS predict_rental_count_20230706;
DROP MODEL IF EXISTS predict_rental_count_new;
DROP MODEL IF EXISTS rentals;

-- 1. The model, trained on 2023.
CREATE MODEL predict_rental_count
  FROM (SELECT hour, weekday, holiday, temperature, humidity, wind, weather, trip_count
          FROM rentals_history WHERE ride_date < '2024-01-01')
  TARGET trip_count
  FUNCTION predict_rental_count
  IAM_ROLE default
  SETTINGS (S3_BUCKET 'my-bucket');
WAIT FOR MODEL predict_rental_count;
SHOW MODEL predict_rental_count;

-- 2. A dated copy on the same trained artifact, by its job name.
SELECT job_name AS job FROM modelgres.model_versions
 WHERE model_name = 'predict_rental_count' AND active \gset
CREATE MODEL predict_rental_count_20230706
  FROM :'job'
  FUNCTION predict_rental_count_20230706 (int4, int4, bool, float8, float8, float8, text)
  RETURNS float8
  IAM_ROLE default
  SETTINGS (S3_BUCKET 'my-bucket');

\echo == the model and its dated copy on the same rows ==
SELECT predict_rental_count(hour, weekday, holiday, temperature, humidity, wind, weather) AS model,
       predict_rental_count_20230706(hour, weekday, holiday, temperature, humidity, wind, weather) AS dated_copy
  FROM rentals_history WHERE ride_date = '2024-03-05' ORDER BY hour;
\echo

-- 3. A new model on newer data (2024), and the metrics of both.
CREATE MODEL predict_rental_count_new
  FROM (SELECT hour, weekday, holiday, temperature, humidity, wind, weather, trip_count
          FROM rentals_history WHERE ride_date >= '2024-01-01')
  TARGET trip_count
  FUNCTION predict_rental_count_new
  IAM_ROLE default
  SETTINGS (S3_BUCKET 'my-bucket');
WAIT FOR MODEL predict_rental_count_new;
\echo == validation metrics ==
SELECT model_name, metric, round(metric_value::numeric, 2) AS value
  FROM modelgres.model_versions
 WHERE model_name IN ('predict_rental_count', 'predict_rental_count_new') ORDER BY model_name;
\echo

-- 4. Replace the model behind the function: drop it and recreate it from the new job name, so
--    existing queries calling predict_rental_count keep working.
SELECT job_name AS new_job FROM modelgres.model_versions
 WHERE model_name = 'predict_rental_count_new' AND active \gset
DROP MODEL predict_rental_count;
CREATE MODEL predict_rental_count
  FROM :'new_job'
  FUNCTION predict_rental_count (int4, int4, bool, float8, float8, float8, text)
  RETURNS float8
  IAM_ROLE default
  SETTINGS (S3_BUCKET 'my-bucket');
\echo == the recreated model and the new one on the same rows ==
SELECT predict_rental_count(hour, weekday, holiday, temperature, humidity, wind, weather) AS recreated,
       predict_rental_count_new(hour, weekday, holiday, temperature, humidity, wind, weather) AS new_model
  FROM rentals_history WHERE ride_date = '2024-03-05' ORDER BY hour;
\echo

-- 5. The same story with versions: one model, one function, its history kept.
CREATE MODEL rentals
  FROM (SELECT hour, weekday, holiday, temperature, humidity, wind, weather, trip_count
          FROM rentals_history WHERE ride_date < '2024-01-01')
  TARGET trip_count
  FUNCTION rentals_fn;
WAIT FOR MODEL rentals;
ALTER MODEL rentals SET ACTIVATION MANUAL;
ALTER MODEL rentals RETRAIN
  FROM (SELECT hour, weekday, holiday, temperature, humidity, wind, weather, trip_count
          FROM rentals_history WHERE ride_date >= '2024-01-01');
WAIT FOR MODEL rentals;
\echo == version 1 and version 2 side by side ==
SELECT rentals_fn_v1(hour, weekday, holiday, temperature, humidity, wind, weather) AS v1,
       rentals_fn_v2(hour, weekday, holiday, temperature, humidity, wind, weather) AS v2,
       rentals_fn(hour, weekday, holiday, temperature, humidity, wind, weather) AS active
  FROM rentals_history WHERE ride_date = '2024-03-05' ORDER BY hour LIMIT 5;
\echo
SELECT version, state, active, source, metric, round(metric_value::numeric, 2) AS value FROM modelgres.model_versions
 WHERE model_name = 'rentals' ORDER BY version;
ALTER MODEL rentals SET ACTIVE VERSION 2;
\echo == after activating version 2 ==
SELECT rentals_fn(8, 2, false, 20.0, 50.0, 5.0, 'clear') AS active, rentals_fn_v2(8, 2, false, 20.0, 50.0, 5.0, 'clear') AS v2;
\echo
ALTER MODEL rentals ROLLBACK;
\echo == after rolling back ==
SELECT rentals_fn(8, 2, false, 20.0, 50.0, 5.0, 'clear') AS active, rentals_fn_v1(8, 2, false, 20.0, 50.0, 5.0, 'clear') AS v1;
\echo
SHOW MODEL rentals VERSIONS;
