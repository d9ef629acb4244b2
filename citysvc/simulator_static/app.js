"use strict";
// The mini-program simulator: each phone plays what a real mini-program does, calling this
// API and, for what happens inside the WeChat or Alipay app, the demo sandboxes.

const STATUS = {
  submitted: "已提交", accepted: "已受理", refused: "不予受理", supplement_requested: "待补正",
  under_review: "审查中", suspended: "已中止", approved: "已批准", denied: "不予批准",
  result_mailed: "已寄出", delivered: "已送达", collected: "已领取", withdrawn: "已撤回",
};
const NEXT = { submitted: ["accept", "受理"], accepted: ["start_review", "开始审查"], under_review: ["approve", "批准"] };
const ADDRESS = { name: "", phone: "13812345678", province: "江苏省", city: "扬州市", district: "江都区", detail: "仙女镇龙川路88号3幢201室" };
const PLATFORM = {
  wechat: { title: "微信 · 江都城市服务", app: "微信", login: "微信一键登录", limit: 5 },
  alipay: { title: "支付宝 · 江都城市服务", app: "支付宝", login: "支付宝授权登录", limit: 3 },
};

let CONFIG = null;

// What the phone shows beside each template value: WeChat keys say their type, Alipay's
// keywords go in the order the templates file gives them (number, item, status, time).
function label(key, index) {
  if (key.startsWith("character_string")) return "办件编号";
  if (key.startsWith("phrase")) return "办理状态";
  if (key.startsWith("time") || key.startsWith("date")) return "时间";
  if (key.startsWith("thing")) return index <= 1 ? "事项名称" : "温馨提示";
  return ["办件编号", "事项名称", "办理状态", "时间", "说明"][index] || "说明";
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  });
  (children || []).forEach((child) => child && node.appendChild(child));
  return node;
}

function localTime(iso) {
  // the server speaks China time (+08:00): show it as written, whatever the browser's zone
  const [, month, day, clock] = iso.match(/^\d{4}-(\d\d)-(\d\d)T(\d\d:\d\d)/);
  return `${Number(month)}月${Number(day)}日 ${clock}`;
}

class Phone {
  constructor(root, platform) {
    this.root = root;
    this.platform = platform;
    this.p = PLATFORM[platform];
    this.citizen = CONFIG.citizens[platform];
    this.userId = platform === "wechat" ? this.citizen.openid : this.citizen.open_id;
    this.token = null;
    this.templates = [];
    this.item = null;
    this.number = null;
    this.seenPushes = 0;
    this.build();
  }

  sandbox(path) {
    return `${location.protocol}//${location.hostname}:${CONFIG[this.platform].port}${path}`;
  }

  // --- calls ------------------------------------------------------------------------------
  async api(method, path, body, isForm) {
    const headers = { "Accept-Language": "zh-CN" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const init = { method, headers };
    if (body !== undefined) {
      if (isForm) init.body = body;
      else { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    }
    const response = await fetch(path, init);
    const answer = response.status === 204 ? {} : await response.json();
    if (!response.ok) throw new Error(answer.error ? answer.error.message : "请求失败，请重试。");
    return answer;
  }

  async platformCall(path, body) {
    // text/plain keeps it a simple cross-origin request; the sandbox reads the JSON text
    const init = body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "text/plain" } };
    const response = await fetch(this.sandbox(path), init);
    const answer = await response.json();
    if (!response.ok || (answer.errcode && answer.errcode !== 0)) throw new Error(`${this.p.app}暂时无法完成操作，请重试。`);
    return answer;
  }

  // --- layout -----------------------------------------------------------------------------
  build() {
    this.root.appendChild(el("div", { class: "bar" }, [el("span", { text: this.p.title }), el("small", { text: "演示" })]));
    this.screen = el("div", { class: "screen" });
    this.root.appendChild(this.screen);
    this.cards = {};
    const steps = [
      ["login", "登录"], ["consent", "订阅办理通知"], ["realname", "实名认证"], ["search", "查找事项"],
      ["apply", "提交申请"], ["progress", "办理进度"], ["inbox", "收到的通知"],
    ];
    steps.forEach(([key, title], i) => {
      const state = el("span", { class: "state", text: "未开始" });
      const body = el("div", { class: "body" });
      const card = el("div", { class: "card", "data-step": key }, [el("h3", {}, [el("span", {}, [el("span", { class: "step-no", text: String(i + 1) }), document.createTextNode(title)]), state]), body]);
      this.cards[key] = { card, state, body };
      this.screen.appendChild(card);
    });
    this.showLogin();
    this.lock(["consent", "realname", "search", "apply", "progress", "inbox"]);
  }

  lock(keys) { keys.forEach((k) => { const b = this.cards[k].body; b.textContent = ""; b.appendChild(el("p", { class: "muted", text: "请先完成上一步" })); }); }

  done(key, text) {
    const { card, state } = this.cards[key];
    card.classList.add("done");
    state.textContent = text || "已完成";
  }

  fail(key, error) {
    const body = this.cards[key].body;
    body.querySelectorAll(".error").forEach((e) => e.remove());
    body.appendChild(el("p", { class: "error", role: "alert", text: error.message }));
  }

  toast(text) {
    const note = el("div", { class: "toast", text });
    this.root.appendChild(note);
    setTimeout(() => note.remove(), 3500);
  }

  sheet(title, lines, okText, cancelText) {
    return new Promise((resolve) => {
      const close = (value) => { overlay.remove(); resolve(value); };
      const overlay = el("div", { class: "sheet" }, [el("div", { class: "panel" }, [
        el("h4", { text: title }),
        el("ul", {}, lines.map((line) => el("li", { text: line }))),
        el("div", { class: "row" }, [
          el("button", { class: "plain", text: cancelText || "取消", onclick: () => close(false) }),
          el("button", { class: "primary", text: okText || "允许", onclick: () => close(true) }),
        ]),
      ])]);
      this.root.appendChild(overlay);
    });
  }

  // --- 1 login ----------------------------------------------------------------------------
  showLogin() {
    const body = this.cards.login.body;
    body.textContent = "";
    body.appendChild(el("p", { class: "muted", text: `以${this.citizen.name}的${this.p.app}账号登录，无需注册。` }));
    body.appendChild(el("button", { class: "primary", text: this.p.login, onclick: () => this.login().catch((e) => this.fail("login", e)) }));
  }

  async login() {
    let answer;
    if (this.platform === "wechat") {
      const { code } = await this.platformCall("/sandbox/login-code", { openid: this.userId });
      answer = await this.api("POST", "/api/v1/auth/wechat", { code });
    } else {
      const { auth_code } = await this.platformCall("/sandbox/auth-code", { open_id: this.userId });
      answer = await this.api("POST", "/api/v1/auth/alipay", { auth_code });
    }
    this.token = answer.token;
    const body = this.cards.login.body;
    body.textContent = "";
    body.appendChild(el("p", { text: `已用${this.p.app}登录，欢迎您，${this.citizen.name}。` }));
    this.done("login", "已登录");
    this.showConsent();
    this.showRealname();
  }

  // --- 2 consent --------------------------------------------------------------------------
  async showConsent() {
    const body = this.cards.consent.body;
    body.textContent = "";
    const listed = await this.api("GET", `/api/v1/notification-templates?platform=${this.platform}`);
    const byId = new Map();
    listed.filter((t) => !t.long_term).forEach((t) => {
      if (!byId.has(t.template_id)) byId.set(t.template_id, []);
      byId.get(t.template_id).push(t.event);
    });
    // case messages first: what a citizen filing needs to hear
    this.templates = [...byId.keys()].sort((a, b) => Number(!byId.get(a).some((e) => e.startsWith("application."))) - Number(!byId.get(b).some((e) => e.startsWith("application.")))).slice(0, this.p.limit);
    body.appendChild(el("p", { class: "muted", text: "办件受理、审批结果和寄送进度会通过服务通知告诉您。" }));
    body.appendChild(el("button", { class: "primary", text: "订阅办理通知", onclick: () => this.askConsent("consent").catch((e) => this.fail("consent", e)) }));
  }

  async askConsent(key) {
    const ok = await this.sheet(`“江都城市服务”申请向您发送以下通知`, ["办件进度通知", "办理结果通知", "材料补正提醒"], "允许", "拒绝");
    const accepted = ok ? this.templates : [];
    const rejected = ok ? [] : this.templates;
    if (ok) {
      const who = this.platform === "wechat" ? { openid: this.userId } : { open_id: this.userId };
      await this.platformCall("/sandbox/consent", { ...who, template_ids: accepted });
    }
    await this.api("POST", "/api/v1/consents", { platform: this.platform, accepted, rejected });
    if (key === "consent") {
      const body = this.cards.consent.body;
      body.querySelectorAll("p.muted").forEach((p) => { p.textContent = ok ? "已订阅，办理进度将及时通知您。" : "您拒绝了通知，可随时重新订阅。"; });
      body.querySelectorAll("button").forEach((b) => { b.textContent = ok ? "再次订阅" : "重新订阅"; b.className = "plain"; });
      this.done("consent", ok ? "已订阅" : "未订阅");
    }
    return ok;
  }

  // --- 3 real name ------------------------------------------------------------------------
  showRealname() {
    const body = this.cards.realname.body;
    body.textContent = "";
    const name = el("input", { value: this.citizen.name, "aria-label": "姓名" });
    const idNumber = el("input", { value: this.citizen.id_number, "aria-label": "身份证号" });
    body.appendChild(el("label", { text: "姓名" }));
    body.appendChild(name);
    body.appendChild(el("label", { text: "身份证号" }));
    body.appendChild(idNumber);
    body.appendChild(el("div", { class: "row" }, [el("button", { class: "primary", text: "开始人脸核验", onclick: () => this.realname(name.value, idNumber.value).catch((e) => this.fail("realname", e)) })]));
  }

  async realname(name, idNumber) {
    const { verification } = await this.api("POST", "/api/v1/me/realname", { name, id_number: idNumber });
    const ok = await this.sheet(`${this.p.app}人脸核验`, ["请正对手机，确保光线充足", "演示环境中，点击“完成刷脸”即视为本人核验通过"], "完成刷脸", "取消");
    if (this.platform === "wechat") await this.platformCall("/sandbox/face", { verify_id: verification.verify_id, passed: ok });
    else await this.platformCall("/sandbox/certify", { certify_id: verification.certify_id, passed: ok });
    const me = await this.api("POST", "/api/v1/me/realname/confirm", { verification_id: verification.id });
    const body = this.cards.realname.body;
    body.textContent = "";
    body.appendChild(el("p", { text: `已实名：${me.name_masked}  ${me.id_number_masked}` }));
    this.done("realname", "已实名");
    this.showSearch();
  }

  // --- 4 search ---------------------------------------------------------------------------
  showSearch() {
    const body = this.cards.search.body;
    body.textContent = "";
    const query = el("input", { value: CONFIG.item.query, "aria-label": "搜索事项" });
    const results = el("div", {});
    body.appendChild(el("div", { class: "row" }, [query, el("button", { class: "primary", text: "搜索", onclick: () => this.search(query.value, results).catch((e) => this.fail("search", e)) })]));
    body.appendChild(results);
  }

  async search(q, results) {
    const page = await this.api("GET", `/api/v1/items?q=${encodeURIComponent(q)}&per_page=5`);
    results.textContent = "";
    if (!page.items.length) { results.appendChild(el("p", { class: "muted", text: "没有找到相关事项，换个说法试试。" })); return; }
    results.appendChild(el("p", { class: "muted", text: `找到 ${page.total} 个事项` }));
    page.items.forEach((item) => {
      const row = el("div", { class: "result", role: "button", onclick: () => this.choose(item.code, row).catch((e) => this.fail("search", e)) }, [
        el("b", { text: item.name }),
        el("span", { class: "muted", text: `${item.department.name} · 承诺${item.promised_days}个工作日${item.no_visit ? " · 零跑腿" : ""}` }),
      ]);
      results.appendChild(row);
    });
  }

  async choose(code, row) {
    this.item = await this.api("GET", `/api/v1/items/${encodeURIComponent(code)}`);
    // keep only the chosen item in view, as a mini-program opens its page
    this.cards.search.body.querySelectorAll(".result, p.muted").forEach((r) => { if (r !== row) r.remove(); });
    row.classList.add("chosen");
    this.done("search", "已选择");
    this.showApply();
  }

  // --- 5 apply ----------------------------------------------------------------------------
  showApply() {
    const body = this.cards.apply.body;
    body.textContent = "";
    body.appendChild(el("p", { text: this.item.name }));
    const uploads = this.item.materials.filter((m) => m.required && !m.license_type);
    const licences = this.item.materials.filter((m) => m.license_type);
    licences.forEach((m) => body.appendChild(el("p", { class: "muted", text: `✓ ${m.name}：已从电子证照库自动获取，无需上传` })));
    this.photos = {};
    uploads.forEach((m) => {
      const img = el("img", { class: "photo", alt: m.name });
      const button = el("button", { class: "plain", text: "拍照上传", onclick: () => this.upload(m.name, img, button).catch((e) => this.fail("apply", e)) });
      body.appendChild(el("label", { text: m.name }));
      body.appendChild(el("div", { class: "row" }, [img, button]));
    });
    body.appendChild(el("p", { class: "muted", text: `邮寄到：${ADDRESS.province}${ADDRESS.city}${ADDRESS.district}${ADDRESS.detail}` }));
    this.submitButton = el("button", { class: "primary", text: "提交申请", onclick: () => this.apply().catch((e) => this.fail("apply", e)) });
    body.appendChild(el("div", { class: "row" }, [this.submitButton]));
  }

  photo() {
    // what the camera would give: a small ID-photo-like picture, sent as a real PNG
    const canvas = document.createElement("canvas");
    canvas.width = 180; canvas.height = 240;
    const g = canvas.getContext("2d");
    g.fillStyle = "#dbe7f7"; g.fillRect(0, 0, 180, 240);
    g.fillStyle = "#8a6d5a"; g.beginPath(); g.arc(90, 95, 45, 0, Math.PI * 2); g.fill();
    g.fillStyle = "#2f3b4c"; g.fillRect(30, 160, 120, 80);
    g.fillStyle = "#1f2329"; g.font = "16px sans-serif"; g.fillText(this.citizen.name, 70, 230);
    return canvas;
  }

  async upload(name, img, button) {
    const canvas = this.photo();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const form = new FormData();
    form.append("file", blob, "photo.png");
    const { file_id } = await this.api("POST", "/api/v1/uploads", form, true);
    this.photos[name] = file_id;
    img.src = canvas.toDataURL("image/png");
    button.textContent = "已上传";
    button.disabled = true;
  }

  async apply() {
    const missing = this.item.materials.filter((m) => m.required && !m.license_type && !this.photos[m.name]);
    if (missing.length) throw new Error(`请先上传：${missing.map((m) => m.name).join("、")}`);
    // ask again as a real mini-program does before an action whose news the citizen wants
    await this.askConsent("apply");
    const method = this.item.delivery.includes("ems") ? "ems" : "pickup";
    const delivery = method === "ems" ? { method, address: { ...ADDRESS, name: this.citizen.name } } : { method };
    const materials = Object.entries(this.photos).map(([name, file_id]) => ({ name, file_id }));
    const filed = await this.api("POST", "/api/v1/applications", { item_code: this.item.code, form: { reason: "证件到期换领" }, materials, delivery });
    this.number = filed.number;
    this.submitButton.disabled = true;
    this.cards.apply.body.appendChild(el("p", { text: `申请已提交，办件编号 ${filed.number}` }));
    this.done("apply", "已提交");
    staff.watch(this.platform, filed.number);
    this.follow();
    this.cards.progress.card.scrollIntoView({ block: "start" });
  }

  // --- 6 progress and 7 pushes --------------------------------------------------------------
  follow() {
    const tick = () => Promise.all([this.refresh(), this.pushes()]).catch(() => {});
    tick();
    setInterval(tick, 1500);
  }

  async refresh() {
    const detail = await this.api("GET", `/api/v1/applications/${this.number}`);
    const body = this.cards.progress.body;
    body.textContent = "";
    body.appendChild(el("p", {}, [el("span", { text: "当前状态：" }), el("span", { class: "status", "data-status": detail.status, text: STATUS[detail.status] || detail.status })]));
    if (detail.due_date) body.appendChild(el("p", { class: "muted", text: `承诺办结日期：${detail.due_date}` }));
    body.appendChild(el("ul", { class: "timeline" }, detail.timeline.map((step) => el("li", {}, [el("time", { text: localTime(step.at) }), el("span", { text: step.note })]))));
    this.done("progress", STATUS[detail.status]);
  }

  async pushes() {
    const query = this.platform === "wechat" ? `openid=${encodeURIComponent(this.userId)}` : `open_id=${encodeURIComponent(this.userId)}`;
    const { messages } = await this.platformCall(`/sandbox/messages?${query}`);
    const body = this.cards.inbox.body;
    if (messages.length === this.seenPushes && body.querySelector(".push")) return;
    if (messages.length > this.seenPushes && this.seenPushes > 0) this.toast(`${this.p.app}服务通知：您的办件有新进展`);
    this.seenPushes = messages.length;
    body.textContent = "";
    if (!messages.length) { body.appendChild(el("p", { class: "muted", text: "暂未收到通知" })); return; }
    messages.forEach((m) => {
      const lines = Object.entries(m.data).map(([key, v], i) => `${label(key, i)}：${typeof v === "object" && v !== null ? v.value : v}`);
      body.appendChild(el("div", { class: "push" }, [el("div", { class: "from", text: `${this.p.app}服务通知 · 办件进度提醒` }), ...lines.map((v) => el("div", { class: "line", text: v }))]));
    });
    this.done("inbox", `${messages.length} 条`);
  }
}

// The window clerk of the demo item's department, to move cases along.
const staff = {
  token: null,
  cases: {},
  async login() {
    const response = await fetch("/api/v1/staff/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(CONFIG.clerk) });
    this.token = (await response.json()).token;
  },
  watch(platform, number) { this.cases[number] = platform; this.render(); },
  async act(number, action) {
    if (!this.token) await this.login();
    const response = await fetch(`/api/v1/staff/applications/${number}/actions`, {
      method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ action, note: "" }),
    });
    if (!response.ok) alert((await response.json()).error.message);
    this.render();
  },
  async render() {
    if (!this.token) await this.login();
    const box = document.getElementById("staff-cases");
    box.textContent = "";
    for (const [number, platform] of Object.entries(this.cases)) {
      const response = await fetch(`/api/v1/staff/applications/${number}`, { headers: { Authorization: `Bearer ${this.token}` } });
      const c = await response.json();
      const next = NEXT[c.status];
      box.appendChild(el("div", { class: "case", "data-number": number }, [
        el("div", { text: `${PLATFORM[platform].app}市民 · ${number}` }),
        el("div", { class: "muted", text: `状态：${STATUS[c.status]}` }),
        el("div", { class: "row" }, next ? [el("button", { "data-action": next[0], text: next[1], onclick: () => this.act(number, next[0]) })] : [el("span", { class: "muted", text: "已办结" })]),
      ]));
    }
  },
};

fetch("/demo/config.json").then((r) => r.json()).then((config) => {
  CONFIG = config;
  new Phone(document.getElementById("phone-wechat"), "wechat");
  new Phone(document.getElementById("phone-alipay"), "alipay");
});
