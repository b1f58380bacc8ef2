"""The operator gate in the dashboard: sign-in, and the question every button that writes asks.

The rules live in ``apms_ops.operators`` (pure functions); this module draws
them. A page with buttons that write (run invariant tests, accept a finding,
sign off) does::

    from apms_ops.ui import operators

    operators.sign_in_panel()                          # st.login / passcode form / demo note
    decision = operators.gate(env, "accept findings")  # a viewer sees why there is no button
    if decision.allowed and st.button("Accept"):
        store.accept(..., accepted_by=decision.run_by)

``gate(env, ..., invariants=True)`` also refuses protected environments that
do not set ``allow_invariants = true``. With ``[auth]`` in the secrets the
sign-in is Streamlit's ``st.login`` (OIDC; Streamlit reads ``[auth]`` from
``.streamlit/secrets.toml``); with a passcode it is a name-and-passcode form
whose result lives in the browser session only.
"""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from apms_ops.connections import Environment
from apms_ops.errors import ConfigError
from apms_ops.operators import (
    DEMO_ONLY, OIDC, PASSCODE, Decision, Identity, OperatorSettings, login_identity, may_run_invariants, may_write,
    operator_mode, operator_settings, passcode_identity, still_signed_in, viewer,
)

SESSION_KEY = "apms_ops.operator"


def settings() -> OperatorSettings:
    return operator_settings()


def _oidc_user() -> tuple[bool, str | None, str | None]:
    user = st.user
    try:
        logged_in = bool(user.is_logged_in)
    except Exception:  # noqa: BLE001 - no auth configured for Streamlit itself: nobody is signed in
        return False, None, None
    return logged_in, user.get("email"), user.get("name")


def current_identity(config: OperatorSettings | None = None) -> Identity:
    """Who is at the keyboard in this browser session."""
    config = config or settings()
    mode = operator_mode(config)
    if mode == OIDC:
        logged_in, email, name = _oidc_user()
        return login_identity(config, email, name) if logged_in else viewer(config)
    if mode == PASSCODE:
        stored = st.session_state.get(SESSION_KEY)
        if isinstance(stored, dict) and stored.get("mode") == PASSCODE and stored.get("operator"):
            identity = Identity(**stored)
            if still_signed_in(config, identity):
                return identity
            st.session_state.pop(SESSION_KEY, None)  # the passcode changed since this sign-in
    return viewer(config)


def _sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def sign_in_panel(*, key: str = "apms_ops.operator_panel") -> Identity:
    """Sign-in for operators (or who is signed in, and sign-out); returns the current identity."""
    try:
        config = settings()
    except ConfigError as exc:
        from apms_ops.ui import widgets

        widgets.error_panel(exc)
        return Identity(name="viewer")
    identity = current_identity(config)
    mode = operator_mode(config)
    with st.container(border=True):
        if mode == OIDC:
            if identity.signed_in:
                role = "operator" if identity.operator else "viewer (not on the operator list)"
                st.markdown(f":material/badge: Signed in as **{identity.name}**, {role}")
                if st.button("Log out", key=f"{key}.logout", icon=":material/logout:"):
                    st.logout()
            else:
                st.markdown(":material/visibility: Viewer. Operators sign in to run tests and record decisions.")
                for provider in config.providers or (None,):
                    label = f"Log in with {provider}" if provider else "Log in"
                    if st.button(label, key=f"{key}.login.{provider or 'default'}", icon=":material/login:"):
                        st.login(provider) if provider else st.login()
        elif mode == PASSCODE:
            if identity.operator:
                st.markdown(f":material/badge: Operator: **{identity.name}** (passcode)")
                st.button("Sign out", key=f"{key}.signout", on_click=_sign_out, icon=":material/logout:")
            else:
                with st.form(f"{key}.form", border=False, clear_on_submit=True):
                    st.markdown(":material/visibility: Viewer. Operators sign in with the passcode to run tests and record decisions.")
                    name = st.text_input("Your name (recorded with every run)", key=f"{key}.name", max_chars=100)
                    attempt = st.text_input("Operator passcode", type="password", key=f"{key}.passcode")
                    submitted = st.form_submit_button("Sign in as operator", icon=":material/login:")
                if submitted:
                    try:
                        identity = passcode_identity(config, name, attempt)
                    except ConfigError as exc:
                        st.error(str(exc), icon=":material/lock:")
                    else:
                        st.session_state[SESSION_KEY] = asdict(identity)
                        st.rerun()  # draw the page again as an operator, buttons included
        else:
            st.markdown(":material/info: No operators are configured: the embedded demo can be tested by anyone; "
                        "other environments show results only. Configure `[auth]` with `[apms_ops] operators`, "
                        "or an operator passcode, to enable the buttons there.")
    return identity


def gate(env: Environment, action: str, identity: Identity | None = None, *, invariants: bool = False) -> Decision:
    """May the person at the keyboard ``action`` on ``env``? A viewer is told why not."""
    try:
        identity = identity or current_identity()
    except ConfigError:
        identity = Identity(name="viewer", mode=DEMO_ONLY)
    decision = may_run_invariants(env, identity) if invariants else may_write(env, identity)
    if not decision.allowed:
        st.info(f"You see the results, not the buttons to {action}: {decision.reason}.", icon=":material/visibility:")
    return decision
