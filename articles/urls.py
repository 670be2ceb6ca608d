from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/status/", views.article_status, name="status"),
    path("<int:pk>/original/", views.article_original, name="original"),
    path("<int:pk>/reprocess/", views.article_reprocess, name="reprocess"),
    path("batches/<int:pk>/", views.batch_status, name="batch"),
    path("batches/<int:pk>/retry/", views.batch_retry, name="batch-retry"),
]
