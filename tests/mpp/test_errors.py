"""The 404 page: the API's error shape under /api/, the HTML page elsewhere."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/cases/null/", "/api/v1/cases/-1/", "/api/v1/no-such-thing/"])
def test_an_api_url_that_routes_nowhere_is_the_json_404(client, officer, path):
    client.force_login(officer)

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "No such record within your scope."}


def test_a_page_that_does_not_exist_is_the_html_404(client, officer):
    client.force_login(officer)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
