"""The warehouse: schema, migrations, every SQL statement and the query functions pages call."""
