use leptos::{ev, prelude::*};
use leptos_meta::Title;

use crate::{
    api_client,
    contexts::account::{Account, AccountState},
};

/// Sign in, create an account, or sign out. An account syncs progress across devices; without
/// one, progress stays in this browser.
#[component]
pub fn AccountPage() -> impl IntoView {
    let account = expect_context::<AccountState>();
    view! {
        <Title text="Account · Trailmap" />
        <section class="account-page">
            <h1>"Your account"</h1>
            {move || match account.user.get() {
                Account::Unknown => view! { <p class="lead">"Checking whether you are signed in…"</p> }.into_any(),
                Account::SignedIn(name) => view! { <SignedIn name /> }.into_any(),
                Account::Guest => view! { <SignInForms /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SignedIn(name: String) -> impl IntoView {
    let account = expect_context::<AccountState>();
    let problem = RwSignal::new(None::<String>);
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            match api_client::sign_out().await {
                Ok(()) => account.signed_out(),
                Err(failure) => problem.set(Some(failure.message())),
            }
        });
    };
    view! {
        <p class="lead">
            "Signed in as " <strong class="account-name">{name}</strong>
            ". Your progress syncs to this account on every device you sign in on."
        </p>
        <button type="button" class="primary" on:click=sign_out>"Sign out"</button>
        <p class="error" role="alert">{problem}</p>
        <p class="account-note">
            "Signing out keeps this browser's copy of your progress; it no longer syncs."
        </p>
    }
}

#[component]
fn SignInForms() -> impl IntoView {
    view! {
        <p class="lead">
            "You do not need an account: progress is saved in this browser. An account keeps it "
            "in sync across your devices; the progress already in this browser is merged into it."
        </p>
        <div class="account-forms">
            <CredentialsForm create=false />
            <CredentialsForm create=true />
        </div>
    }
}

/// One form, for signing in (`create = false`) or creating an account.
#[component]
fn CredentialsForm(create: bool) -> impl IntoView {
    let account = expect_context::<AccountState>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let prefix = if create { "signup" } else { "signin" };
    let heading = if create {
        "Create an account"
    } else {
        "Sign in"
    };
    let submit_label = if create { "Create account" } else { "Sign in" };
    let on_submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        problem.set(None);
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            let result = if create {
                api_client::sign_up(&name, &secret).await
            } else {
                api_client::sign_in(&name, &secret).await
            };
            busy.set(false);
            match result {
                Ok(me) => {
                    password.set(String::new());
                    account.signed_in(me.username);
                }
                Err(failure) => problem.set(Some(failure.message())),
            }
        });
    };
    view! {
        <form class="account-form" on:submit=on_submit aria-labelledby=format!("{prefix}-heading")>
            <h2 id=format!("{prefix}-heading")>{heading}</h2>
            <label for=format!("{prefix}-username")>"Username"</label>
            <input
                id=format!("{prefix}-username")
                name="username"
                autocomplete="username"
                required
                minlength="3"
                maxlength="32"
                prop:value=username
                on:input=move |e| username.set(event_target_value(&e))
            />
            <label for=format!("{prefix}-password")>"Password"</label>
            <input
                id=format!("{prefix}-password")
                name="password"
                type="password"
                autocomplete=if create { "new-password" } else { "current-password" }
                required
                minlength="8"
                maxlength="128"
                prop:value=password
                on:input=move |e| password.set(event_target_value(&e))
            />
            {create.then(|| view! { <p class="hint">"At least 8 characters; common passwords are refused."</p> })}
            <button type="submit" class="primary" disabled=busy>{submit_label}</button>
            <p class="error" role="alert">{problem}</p>
        </form>
    }
}
