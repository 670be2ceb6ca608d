from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.routers import DefaultRouter

from articles.api import ArticleViewSet
from tensions import api, views

router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("events", api.EventViewSet, basename="event")
router.register("countries", api.CountryViewSet, basename="country")
router.register("actors", api.ActorViewSet, basename="actor")

dashboard = [
    path("", views.home, name="home"),
    path("timeline/", views.timeline, name="timeline"),
    path("countries/<str:code>/", views.country, name="country"),
    path("events/<int:pk>/", views.event, name="event"),
]

urlpatterns = [
    path("", include((dashboard, "tensions"))),
    path("articles/", include("articles.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/health/", api.health, name="api-health"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"
    ),
    path(
        "api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"
    ),
]
