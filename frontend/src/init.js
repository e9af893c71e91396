// Start GOV.UK Frontend's components (character count, error summary focus, ...).
// Everything works without this script; it only improves the forms.
import { initAll } from "./govuk-frontend.min.js";

initAll();
