"""apms-ops dashboard: ``streamlit run dashboard.py``.

The router: page list, the style rules, the sidebar every page shares (environment,
profile, verdict, connection status, refresh; it also keeps the environment in the
URL), then the selected page. Pages live in ``pages/``; their shared code in
``apms_ops/ui`` (see its docstring).
"""

from pathlib import Path

import streamlit as st

from apms_ops.ui import links, navigation, state, style, widgets

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="apms-ops", page_icon=style.page_icon(), layout="wide")

# Every page in view: past twelve Streamlit folds the menu behind "View more".
page = st.navigation(navigation.navigation_pages(ROOT), expanded=True)
links.remember_page(page.url_path)
style.inject()

try:
    state.render_sidebar()
except Exception as exc:  # noqa: BLE001 - a broken sidebar must not take the page down with a traceback
    with st.sidebar:
        widgets.error_panel(exc, state.environment_or_none())

try:
    with navigation.routed():
        page.run()
except Exception as exc:  # noqa: BLE001 - the last net: every error is a panel (st.stop/rerun are not Exceptions)
    widgets.error_panel(exc, state.environment_or_none())
