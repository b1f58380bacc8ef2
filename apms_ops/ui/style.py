"""The dashboard's few style rules: a tighter page top (the Overview must fit one screen)
and a print stylesheet, so that Ctrl+P of the Overview is a clean one-page handout.

Streamlit scrolls its main area inside a fixed-height container; printed as is, a
page is cut at the first screen. The print rules let every container grow, drop
the sidebar, buttons and links, and keep tile labels whole.
"""

from __future__ import annotations

from functools import lru_cache

import streamlit as st

CSS = """
<style>
/* The page starts near the top: the verdict, its reasons, the caveats and the next actions share one screen. */
[data-testid="stMainBlockContainer"] { padding-top: 2.6rem; padding-bottom: 3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding-top: 0.2rem; padding-bottom: 0.3rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.25rem; padding-top: 0.5rem; padding-bottom: 0.25rem; }
.apms-rule { color: #6b7280; font-size: 0.8em; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; white-space: nowrap; }
.apms-muted { color: #6b7280; }
[data-testid="stMetricLabel"] p { white-space: nowrap; }

@media print {
  @page { size: A4 landscape; margin: 10mm; }
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"], section.main {
    height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important;
  }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stBottom"],
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stPageLink"], [data-testid="stLinkButton"],
  [data-testid="stElementToolbar"], [data-testid="stCodeCopyButton"], [data-testid="stSegmentedControl"],
  [data-testid="stButtonGroup"], .stDeployButton, .apms-no-print, [class*="st-key-apms-no-print"] {
    display: none !important;
  }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; zoom: 0.72; }
  /* SQL is for copying on screen; on paper the action and its check id say what to do. */
  .st-key-apms-overview-actions [data-testid="stElementContainer"]:has([data-testid="stCode"]),
  [data-testid="stElementContainer"]:has(.apms-report-link), hr { display: none !important; }
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] {
    white-space: nowrap !important; word-break: keep-all !important; overflow-wrap: normal !important; hyphens: none !important;
  }
  [data-testid="stVerticalBlock"], [data-testid="stHorizontalBlock"], [data-testid="stElementContainer"] { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
}
</style>
"""


def inject() -> None:
    """Add the style rules to the page (once per run, from the router)."""
    st.html(CSS)


@lru_cache(maxsize=1)
def page_icon():
    """The tab's icon, drawn here: a Material icon name would be fetched from fonts.gstatic.com,
    which a machine without internet refuses (and which no page should depend on)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 62, 62), radius=14, fill=(17, 129, 63, 255))
    draw.line((17, 33, 28, 44, 47, 21), fill=(255, 255, 255, 255), width=7, joint="curve")
    return image
