"""The app's routes (docs/spec.md#32-routes, docs/spec.md#42-routes): the Flask app's paths."""

from django.urls import path

from . import api, views

app_name = "predictions"

urlpatterns = [
    path("", views.index, name="index"),
    path("predict", views.predict, name="predict"),
    path("predictions/<bigint:prediction_id>", views.prediction, name="prediction"),
    path("predictions/<bigint:prediction_id>/feedback", views.feedback, name="feedback"),
    path("batch", views.batch, name="batch"),
    path("history", views.history, name="history"),
    path("history.csv", views.history_csv, name="history_csv"),
    path("model", views.model_card, name="model_card"),
    path("api/v1/health", api.health, name="api_health"),
    path("api/v1/model", api.model_info, name="api_model"),
    path("api/v1/predict", api.predict, name="api_predict"),
    path("api/v1/predict/batch", api.predict_batch, name="api_predict_batch"),
    path("api/v1/predictions", api.predictions, name="api_predictions"),
    path("api/v1/predictions/<bigint:prediction_id>", api.prediction, name="api_prediction"),
    path("api/v1/predictions/<bigint:prediction_id>/feedback", api.feedback, name="api_feedback"),
]
