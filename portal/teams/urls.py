from django.urls import path

from portal.teams import views

urlpatterns = [
    path("artists/<int:artist_id>/team/", views.team, name="team"),
    path("artists/<int:artist_id>/team/invite/", views.team_invite, name="team_invite"),
    path(
        "artists/<int:artist_id>/team/members/<int:membership_id>/role/",
        views.team_member_role,
        name="team_member_role",
    ),
    path(
        "artists/<int:artist_id>/team/members/<int:membership_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path(
        "artists/<int:artist_id>/team/invitations/<int:invitation_id>/revoke/",
        views.team_invitation_revoke,
        name="team_invitation_revoke",
    ),
    path("labels/<int:label_id>/invite/", views.label_invite, name="label_invite"),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
