"""The dashboard's shared UI: sidebar state, cached loaders, tables, charts and widgets.

``dashboard.py`` draws the sidebar (environment, profile, connection status,
verdict, refresh) once per run and then runs the selected page. A page in
``pages/`` is thin: it hands the run to the router if Streamlit ran it alone, reads
its own widgets, calls one cached loader, and renders; it holds no SQL and makes
no decisions::

    import streamlit as st
    from apms_ops.ui import navigation, state, tables, widgets

    navigation.require_router()           # first: see apms_ops/ui/navigation.py
    review = state.page_review()          # cached; on failure an error panel, then st.stop()
    widgets.page_header("My page", review)
    df = tables.check_rows(review, "C1")  # pure functions: Review -> DataFrame
    widgets.status_table(df, key="my_page.checks", file_name="my_page.csv")
    widgets.json_download(review, key="my_page.json")

A page that needs the database rather than the review (invariant tests,
history) takes ``state.current_environment()`` (the sidebar's choice; it
raises ``OpsError`` when none can be used) and shows failures with
``widgets.error_panel(exc, env)``, never a traceback. Its own slow reads go
through ``st.cache_data`` keyed by ``state.environment_key(env)``, and it
registers their ``clear`` with ``state.on_refresh(fn)`` so the sidebar's
refresh button clears them too.

Links: the sidebar keeps ``env`` and ``profile`` in the URL; a page that shows
something worth sharing puts it there too (``links.set_param``) and draws in-app
links with ``links.page_link`` so they keep the environment.

Modules: ``state`` (session state, loaders, sidebar, remembered connection
failures), ``links`` (URLs and permalinks), ``widgets`` (verdict banner, status
and selectable tables, error panels, downloads, empty states), ``tables``
(Review -> DataFrames), ``charts`` (Altair charts), ``overview``, ``findings``
and ``relations`` (what those pages draw), ``style`` (page and print CSS),
``navigation`` (the page list, including pages that may not exist yet).
"""
