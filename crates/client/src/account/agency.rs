//! What an admin keeps for the agency (its dispositions, a lead typed in by hand, deleting a
//! lead) and what each user keeps for themselves (their profile).

use crokodial_core::api::{NewLead, ProfileUpdate, User};
use crokodial_core::edit::{Disposition, DispositionChange};
use crokodial_core::Lead;

use super::Account;
use crate::error::ClientError;
use crate::sync;

impl Account {
    /// Adds a disposition; answers the list as the server has it now (also kept in the cache).
    pub async fn add_disposition(&self, change: &DispositionChange) -> Result<Vec<Disposition>, ClientError> {
        self.api().add_disposition(change).await?;
        self.refresh_dispositions().await
    }

    /// Renames, recolours or moves a disposition; answers the list as it is now.
    pub async fn change_disposition(
        &self,
        id: &str,
        change: &DispositionChange,
    ) -> Result<Vec<Disposition>, ClientError> {
        self.api().change_disposition(id, change).await?;
        self.refresh_dispositions().await
    }

    /// Puts the dispositions in the order of `ids` (each moved only if its place changed).
    pub async fn reorder_dispositions(&self, ids: &[String]) -> Result<Vec<Disposition>, ClientError> {
        let now = self.api().dispositions().await?;
        for (place, id) in ids.iter().enumerate() {
            let place = place as u32;
            if now.iter().any(|d| &d.id == id && d.sort_order != place) {
                let change = DispositionChange { sort_order: Some(place), ..DispositionChange::default() };
                self.api().change_disposition(id, &change).await?;
            }
        }
        self.refresh_dispositions().await
    }

    pub async fn remove_disposition(&self, id: &str) -> Result<Vec<Disposition>, ClientError> {
        self.api().remove_disposition(id).await?;
        self.refresh_dispositions().await
    }

    async fn refresh_dispositions(&self) -> Result<Vec<Disposition>, ClientError> {
        let list = self.api().dispositions().await?;
        let kept = list.clone();
        if let Err(e) = self.shared.cache.run(move |c| sync::keep_dispositions(c, &kept)).await {
            tracing::warn!(error = %e, "cannot keep the dispositions");
        }
        Ok(list)
    }

    /// A lead typed in by hand (admins), kept in the cache at once. Its name is sent whole: the
    /// deployed server names a lead without one "Blank Lead".
    pub async fn create_lead(&self, lead: &NewLead) -> Result<Lead, ClientError> {
        let mut lead = lead.clone();
        if lead.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            let full = crokodial_core::lead::full_name(lead.first_name.as_deref(), lead.last_name.as_deref());
            lead.name = Some(full).filter(|n| !n.is_empty());
        }
        let lead = self.api().create_lead(&lead).await?;
        let kept = lead.clone();
        if let Err(e) = self.shared.cache.run(move |c| c.upsert(std::slice::from_ref(&kept), None)).await {
            tracing::warn!(error = %e, "cannot cache the new lead; the next sync brings it");
        }
        Ok(lead)
    }

    /// Deletes a lead on the server (admins, or on ours its owner), then from the cache.
    pub async fn delete_lead(&self, id: &str) -> Result<(), ClientError> {
        self.api().delete_lead(id).await?;
        let gone = vec![id.to_owned()];
        if let Err(e) = self.shared.cache.run(move |c| c.remove(&gone)).await {
            tracing::warn!(error = %e, "cannot drop the deleted lead from the cache");
        }
        self.shared.report().await;
        Ok(())
    }

    /// The user as the server has them now.
    pub async fn profile(&self) -> Result<User, ClientError> {
        self.api().profile().await
    }

    /// Changes the user's name, email or password. A new password goes only to a server that
    /// changes it safely: the deployed server's route would lock the user out.
    pub async fn update_profile(&self, update: &ProfileUpdate) -> Result<User, ClientError> {
        // Asked now, not from the last sync: a wrong guess would lock the user out.
        let password = update.password.as_deref().is_some_and(|p| !p.is_empty());
        if password && !self.api().capabilities().await?.password_change {
            return Err(ClientError::InvalidInput(
                "this server cannot change a password without locking you out; change it where your agency manages accounts"
                    .into(),
            ));
        }
        self.api().update_profile(update).await
    }
}
