"""An application's migrations: the Prisma migrations folder, its statements, and its status against a database.

- ``folder``: read a ``prisma/migrations`` folder (names, scripts, checksums as Prisma computes them);
- ``status``: compare it with ``_prisma_migrations`` (applied, pending, failed, rolled back, drift, missing locally);
- ``statements``: split a ``migration.sql`` into statements with PostgreSQL's own parser (pglast), with line numbers;
- ``writer``: write new migration folders (the deployable fixes).
"""
