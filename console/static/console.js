// Progressive enhancement only: every form works without this file.
"use strict";

// The EMS rule of core/shipping/tracking_number.py, as typed: 13 digits (domestic), or UPU
// S10 (two letters, 8-digit serial, check digit, two letters) starting with E. The messages
// are the server's own (data-format, data-not-ems, data-check-digit); the server checks again.
const S10 = /^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$/;
const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];

function s10CheckDigit(serial) {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(serial[i]), 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

function emsProblem(raw, texts) {
  const value = raw.replace(/\s+/g, "").toUpperCase();
  if (/^\d{13}$/.test(value)) return "";
  const m = S10.exec(value);
  if (!m) return texts.format;
  if (value[0] !== "E") return texts.notEms;
  if (s10CheckDigit(m[1]) !== Number(m[2])) return texts.checkDigit;
  return "";
}

function watchEms(input) {
  const hint = document.getElementById(input.getAttribute("aria-describedby"));
  const check = () => {
    const problem = input.value ? emsProblem(input.value, input.dataset) : "";
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    input.setCustomValidity(problem);
    if (hint) hint.textContent = input.value ? (problem || "邮件号格式正确。") : hint.dataset.hint;
  };
  input.addEventListener("input", check);
}

function countChars(area) {
  const out = document.getElementById(area.dataset.counter);
  if (!out) return;
  const show = () => { out.textContent = `${area.value.length} / ${area.maxLength}`; };
  area.addEventListener("input", show);
  show();
}

function confirmForms(form) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// "/" jumps to the case-number search of the queue, as in most admin tools
function searchShortcut() {
  const search = document.getElementById("f-number");
  if (!search) return;
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      search.focus();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  searchShortcut();
  document.querySelectorAll("input[data-ems]").forEach(watchEms);
  document.querySelectorAll("textarea[data-counter]").forEach(countChars);
  document.querySelectorAll("form[data-confirm]").forEach(confirmForms);
});
