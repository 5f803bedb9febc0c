CREATE VIEW mg_predicted AS
  SELECT id, x1, x2, mg_f(x1, x2) AS predicted FROM mg;
