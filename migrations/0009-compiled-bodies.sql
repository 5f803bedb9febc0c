-- The SQL form of each version's model functions, compiled from its ONNX artifact when the
-- version became READY (src/compile/), so PostgreSQL itself can evaluate the model: views,
-- triggers, PL/pgSQL and direct connections. Each is {"language": "sql" | "plpgsql", "body": text,
-- "immutable": bool}, or {"unsupported": sentence} when the graph has an operator with no SQL form.
-- NULL: not compiled yet (a version from before this migration: the proxy compiles it at start).
ALTER TABLE modelgres.model_version
  ADD COLUMN compiled_value jsonb,          -- f and f_vN
  ADD COLUMN compiled_probabilities jsonb;  -- f_probabilities (classifiers)
