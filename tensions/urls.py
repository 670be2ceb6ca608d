from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.routers import DefaultRouter

from articles import api as articles_api
from articles.api import ArticleViewSet
from tensions import accounts, api, api_errors, api_relations, views

router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("events", api.EventViewSet, basename="event")
router.register("countries", api.CountryViewSet, basename="country")
router.register("actors", api.ActorViewSet, basename="actor")
router.register("relations", api_relations.RelationViewSet, basename="relation")

dashboard = [
    path("", views.home, name="home"),
    path("timeline/", views.timeline, name="timeline"),
    path("countries/<str:code>/", views.country, name="country"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/review/", views.event_review, name="event_review"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/merge/", views.event_merge, name="event_merge"),
    path("events/<int:pk>/split/", views.mention_split, name="mention_split"),
    path("pairs/<str:a>/<str:b>/", views.pair, name="pair"),
    path("map/", views.relations_map, name="map"),
    path("about/index/", views.about, name="about"),
    path("watches/", views.watches, name="watches"),
    path("watches/<int:pk>/delete/", views.watch_remove, name="watch_remove"),
]

urlpatterns = [
    path("", include((dashboard, "tensions"))),
    path("articles/", include("articles.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("api/v1/health/", api.health, name="api-health"),
    path("api/v1/timeline/", api_relations.timeline, name="api-timeline"),
    path("api/v1/search/", articles_api.search, name="api-search"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        api.docs_page(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        api.docs_page(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
]

handler404 = api_errors.not_found
handler500 = api_errors.server_error
