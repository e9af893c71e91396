// Warn staff two minutes before an idle session ends (WCAG 2.2.1), and let them stay signed in.
const WARNING_SECONDS = 120;

const notice = document.querySelector("[data-module='council-session-timeout']");
const warning = document.getElementById("council-timeout-warning");
const stay = document.getElementById("council-timeout-stay");

if (notice && warning && stay) {
  const timeoutSeconds = Number(notice.dataset.timeoutSeconds);
  let timer;

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      warning.hidden = false;
      stay.focus();
    }, (timeoutSeconds - WARNING_SECONDS) * 1000);
  };

  stay.addEventListener("click", async () => {
    const body = new URLSearchParams({ csrf_token: notice.dataset.csrfToken });
    const response = await fetch(notice.dataset.keepAliveUrl, { method: "POST", body });
    if (response.ok) {
      warning.hidden = true;
      schedule();
    } else {
      window.location.reload();
    }
  });

  schedule();
}
