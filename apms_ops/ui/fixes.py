"""Deployable fixes on the dashboard: the review's fixes as Prisma migration folders, in a zip."""

from __future__ import annotations

import streamlit as st

from apms_ops.connections import Environment
from apms_ops.ui import state


@st.cache_data(ttl=state.REVIEW_TTL_S, max_entries=16, show_spinner="Planning the fixes (read-only)...")
def _plan_dict(env_key: str, _env: Environment, profile: str) -> dict:
    from apms_ops.migrations.writer import plain_script, zip_folders
    from apms_ops.remediation_plan import STEP_LOCK_TIMEOUT, build_plan

    plan = build_plan(_env, profile)
    built = plan.to_dict()
    if not plan.stopped and plan.steps:
        built["zip"] = zip_folders(plan, lock_timeout=STEP_LOCK_TIMEOUT)
        built["sql"] = plain_script(plan, lock_timeout=STEP_LOCK_TIMEOUT)
    return built


state.on_refresh(_plan_dict.clear)


def fix_folders_download() -> None:
    """The fixes as Prisma migration folders (zip), or why they cannot be generated (orphans first)."""
    from apms_ops.ui import widgets

    env = None
    try:
        env = state.current_environment()
        plan = _plan_dict(state.environment_key(env), env, state.current_profile())
    except Exception as exc:  # noqa: BLE001 - every failure becomes a panel, never a traceback
        widgets.error_panel(exc, env)
        return
    if plan["stopped"]:
        st.warning("Orphaned rows stop the deployable fixes: fix or delete them first (apms-ops deletes nothing). "
                   + "; ".join(f"{widgets.md_escape(b['table'])}.{widgets.md_escape(b['column'])}: {b['orphans']} row(s)"
                               for b in plan["blocked"]), icon=":material/block:")
        st.code("\n".join(b["query"] for b in plan["blocked"]), language="sql")
        return
    for item in plan["left_out"]:
        st.warning(f"Left out {widgets.md_escape(item['what'])}: {widgets.md_escape(item['reason'])} "
                   f"({item.get('rows') if item.get('rows') is not None else 'unknown'} row(s)).", icon=":material/warning:")
    if not plan.get("zip"):
        widgets.empty_state("No finding needs a migration.")
        return
    steps = plan["steps"]
    outside = sum(not s["transactional"] for s in steps)
    st.caption(f"{len(steps)} migration folder(s): the NOT VALID additions together, each VALIDATE alone"
               + (f", {outside} CONCURRENTLY step(s) alone and outside a transaction" if outside else "")
               + ". Unzip into prisma/migrations and deploy with prisma migrate deploy.")
    st.download_button("Prisma migration folders (.zip)", plan["zip"], file_name=f"apms-ops-{env.name}-fixes.zip",
                       mime="application/zip", key="fixes.zip", icon=":material/folder_zip:", on_click="ignore")
