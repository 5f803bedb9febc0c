-- A deterministic bike-share table for the README's walk: two years of hourly rentals.
-- Every "random" number is a hash of the row number, so every run gives the same table.
DROP TABLE IF EXISTS bike_share;
CREATE TABLE bike_share AS
WITH hours AS (
  SELECT i, i % 24 AS hour, (i / 24) AS day,
         ('x' || lpad(substr(md5('u1:' || i), 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS u1,
         ('x' || lpad(substr(md5('u2:' || i), 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS u2,
         ('x' || lpad(substr(md5('u3:' || i), 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS u3,
         ('x' || lpad(substr(md5('u4:' || i), 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS u4,
         ('x' || lpad(substr(md5('u5:' || i), 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS u5
  FROM generate_series(0, 24 * 365 * 2 - 1) AS i
), weather AS (
  SELECT i, hour, day % 7 AS weekday, day % 30 = 0 AS holiday,
         round((15 + 10 * sin(2 * pi() * day / 365.0) + 5 * sin(2 * pi() * (hour - 9) / 24.0) + 4 * (u1 - 0.5))::numeric, 1)::float8 AS temperature,
         round((40 + 40 * u2)::numeric, 1)::float8 AS humidity,
         round((20 * u3)::numeric, 1)::float8 AS wind,
         CASE WHEN u4 < 0.6 THEN 'clear' WHEN u4 < 0.85 THEN 'cloudy' WHEN u4 < 0.95 THEN 'rain' ELSE 'snow' END AS weather,
         u5
  FROM hours
)
SELECT hour, weekday, holiday, temperature, humidity, wind, weather,
       greatest(0, round(
         20
         + CASE WHEN weekday BETWEEN 1 AND 5 AND NOT holiday
                THEN 120 * (exp(-((hour - 8) ^ 2) / 4.0) + exp(-((hour - 17) ^ 2) / 4.0))
                ELSE 60 * exp(-((hour - 14) ^ 2) / 18.0) END
         + 3 * temperature - 0.3 * humidity - 1.5 * wind
         - CASE weather WHEN 'rain' THEN 40 WHEN 'snow' THEN 60 WHEN 'cloudy' THEN 5 ELSE 0 END
         + 10 * (u5 - 0.5)))::int AS trip_count
FROM weather
ORDER BY i;
