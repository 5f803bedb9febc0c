CREATE TABLE mg (id int PRIMARY KEY, x1 float8, x2 float8, y float8);
INSERT INTO mg
  SELECT i, (i % 17) * 0.5, (i % 5) - 2, 3 * ((i % 17) * 0.5) - 2 * ((i % 5) - 2) + (i % 3) * 0.1
  FROM generate_series(1, 400) AS i;
