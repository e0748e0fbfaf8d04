"""mpp.html.format_row gives what django.utils.html.format_html gives, for any text."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from mpp.html import format_row

TEMPLATE = '<tr data-id="{}"><th scope="row">{}</th><td class="{}">{}</td><td>{}</td></tr>'
values = st.one_of(
    st.text(),
    st.integers(),
    st.none(),
    st.text().map(mark_safe),
)


@given(values, values, values, values, values)
def test_format_row_escapes_like_format_html(a, b, c, d, e):
    assert format_row(TEMPLATE, a, b, c, d, e) == format_html(TEMPLATE, a, b, c, d, e)


def test_format_row_escapes_markup_and_quotes_but_keeps_what_is_already_html():
    row = format_row('<td title="{}">{}{}</td>', '"><script>x</script>', "Téllez & <b>", SafeString("<br>"))
    assert isinstance(row, SafeString)
    assert row == '<td title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">Téllez &amp; &lt;b&gt;<br></td>'
