"""The psqlODBC driver program (through pyodbc): run by psqlodbc.test.ts as
`python3 odbc_program.py DRIVER_PATH HOST PORT DATABASE`, creating the model first when
CREATE_MODEL_SQL is set. Prints one JSON report (driver-fixture.ts, DriverReport) on its last line.
The connection is set as BI tools set it: server-side prepare, and DECLARE/FETCH of 500 rows."""
import json
import os
import sys

import pyodbc

driver, host, port, database = sys.argv[1:5]
conn = pyodbc.connect(
    f'Driver={{{driver}}};Server={host};Port={port};Database={database};Uid=postgres;Pwd=;'
    'UseServerSidePrepare=1;UseDeclareFetch=1;Fetch=500',
    autocommit=True,
)
cur = conn.cursor()
report = {'driver': 'psqlodbc'}


def rows_as_dicts(cursor):
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


if os.environ.get('CREATE_MODEL_SQL'):
    cur.execute(os.environ['CREATE_MODEL_SQL'])
report['wait'] = rows_as_dicts(cur.execute('WAIT FOR MODEL drv_model'))[0]['state']

# The same statement text each time: pyodbc prepares it once (SQLPrepare) and executes it 12 times.
report['prepared'] = []
for i in range(12):
    a, b = i * 0.75, 9 - i * 0.5
    label = cur.execute('SELECT drv_fn(?, ?) AS label', a, b).fetchone()[0]
    report['prepared'].append({'a': a, 'b': b, 'label': label})

# UseDeclareFetch: the driver declares a cursor and fetches 500 rows at a time.
ids, labels, probabilities = [], [], []
cur.execute('SELECT id, drv_fn(a, b) AS label, drv_fn_probabilities(a, b) AS p FROM drv_points WHERE id <= ? ORDER BY id', 10000)
open_cursors = None
while True:
    batch = cur.fetchmany(500)
    if not batch:
        break
    if open_cursors is None:
        # Proof that the driver declared a cursor for the read: the session's open cursors, mid-read.
        open_cursors = [r[0] for r in conn.cursor().execute('SELECT statement FROM pg_cursors').fetchall()]
    for id_, label, p in batch:
        ids.append(id_)
        labels.append(label)
        probabilities.append(json.loads(p))
report['fetched'] = {'ids': ids, 'labels': labels, 'probabilities': probabilities}
report['cursors'] = open_cursors

report['probabilities'] = []
for a, b in [(0.5, 0.5), (5.0, 5.0), (9.5, 9.5)]:
    value = cur.execute('SELECT drv_fn_probabilities(?, ?) AS p', a, b).fetchone()[0]
    report['probabilities'].append({'a': a, 'b': b, 'value': json.loads(value)})

report['showModel'] = {r['Key']: r['Value'] for r in rows_as_dicts(cur.execute('SHOW MODEL drv_model')) if r['Key']}

# What a BI tool's function browser calls: SQLProcedures, then SQLProcedureColumns for each.
SQL_PARAM_INPUT = 1
names = [r.procedure_name for r in cur.procedures(procedure='drv_fn%').fetchall()]
report['procedures'] = names
report['functions'] = []
for name in names:
    columns = [
        {'name': c.column_name, 'type': c.type_name}
        for c in cur.procedureColumns(procedure=name).fetchall()
        if c.column_type == SQL_PARAM_INPUT
    ]
    report['functions'].append({'name': name, 'columns': columns})

try:
    cur.execute('SHOW MODEL no_such_model').fetchall()
    raise SystemExit('SHOW MODEL no_such_model succeeded')
except pyodbc.Error as e:
    report['error'] = {'sqlstate': e.args[0], 'type': f'{type(e).__module__}.{type(e).__name__}'}

conn.close()
print(json.dumps(report))
