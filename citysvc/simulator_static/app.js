"use strict";
// The mini-program simulator: each phone plays what a real mini-program does, calling this
// API and, for what happens inside the WeChat or Alipay app, the demo sandboxes.

const STATUS = {
  submitted: "已提交", accepted: "已受理", refused: "不予受理", supplement_requested: "待补正",
  under_review: "审查中", suspended: "已中止", approved: "已批准", denied: "不予批准",
  result_mailed: "已寄出", delivered: "已送达", collected: "已领取", withdrawn: "已撤回",
};
const NEXT = { submitted: ["accept", "受理"], accepted: ["start_review", "开始审查"], under_review: ["approve", "批准"], approved: ["hand_over", "交付证件"] };
// 好差评 levels as the API numbers them, best first
const LEVELS = [[5, "非常满意"], [4, "满意"], [3, "基本满意"], [2, "不满意"], [1, "非常不满意"]];
const KINDS = { complaint: "投诉", suggestion: "建议", correction: "我要纠错" };
const KIND_NOUN = { complaint: "投诉", suggestion: "建议", correction: "纠错意见" };
const FEEDBACK_STATUS = { open: "待回复", replied: "已回复" };
const ADDRESS = { name: "", phone: "13812345678", province: "江苏省", city: "扬州市", district: "江都区", detail: "仙女镇龙川路88号3幢201室" };
const PLATFORM = {
  wechat: { title: "微信 · 江都城市服务", app: "微信", login: "微信一键登录", limit: 5 },
  alipay: { title: "支付宝 · 江都城市服务", app: "支付宝", login: "支付宝授权登录", limit: 3 },
};

let CONFIG = null;

// What each demo template's fields are called on the phone, as registered on the platforms'
// consoles: WeChat by key, Alipay by keyword order (keyword1, keyword2, ...).
const TEMPLATES = {
  "case-progress": {
    title: "办件进度提醒",
    wechat: { character_string1: "办件编号", thing2: "事项名称", phrase3: "办理状态", time4: "更新时间", thing5: "温馨提示" },
    alipay: ["办件编号", "事项名称", "办理状态", "更新时间"],
  },
  "case-result": {
    title: "办理结果通知",
    wechat: { character_string1: "办件编号", thing2: "事项名称", phrase3: "办理结果", date4: "办结日期", thing5: "温馨提示" },
    alipay: ["办件编号", "事项名称", "办理结果", "温馨提示"],
  },
  "feedback-reply": {
    title: "意见答复通知",
    wechat: { phrase1: "意见类型", thing2: "意见内容", thing3: "答复内容", time4: "答复时间" },
    alipay: ["意见类型", "答复内容", "答复时间"],
  },
};

// A template the table above does not know: WeChat keys say their type, Alipay's keywords go
// in the order of the case templates (number, item, status, time).
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

function localDate(day) {
  const [, month, date] = day.match(/^\d{4}-(\d\d)-(\d\d)/);
  return `${Number(month)}月${Number(date)}日`;
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
    this.ratingShown = false;
    this.feedbackKind = "suggestion";
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
      ["rating", "评价办理服务"], ["feedback", "投诉建议"],
      ["bundle", "一件事一次办"], ["instant", "秒批"],
    ];
    steps.forEach(([key, title], i) => {
      const state = el("span", { class: "state", text: "未开始" });
      const body = el("div", { class: "body" });
      const card = el("div", { class: "card", "data-step": key }, [el("h3", {}, [el("span", {}, [el("span", { class: "step-no", text: String(i + 1) }), document.createTextNode(title)]), state]), body]);
      this.cards[key] = { card, state, body };
      this.screen.appendChild(card);
    });
    this.showLogin();
    this.lock(["consent", "realname", "search", "apply", "progress", "inbox", "rating", "feedback", "bundle", "instant"]);
    this.cards.rating.body.firstChild.textContent = "办结后即可评价";
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
    this.root.querySelectorAll(".toast").forEach((old) => old.remove());  // the newest only
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
    this.showFeedback();
  }

  // --- 2 consent --------------------------------------------------------------------------
  async showConsent() {
    const body = this.cards.consent.body;
    body.textContent = "";
    const listed = await this.api("GET", `/api/v1/notification-templates?platform=${this.platform}`);
    // asked for when the citizen sends feedback, as a mini-program asks before that action
    this.replyTemplates = [...new Set(listed.filter((t) => !t.long_term && t.event === "feedback.replied").map((t) => t.template_id))];
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

  async askConsent(key, templates = this.templates, lines = ["办件进度通知", "办理结果通知", "材料补正提醒"]) {
    const ok = await this.sheet(`“江都城市服务”申请向您发送以下通知`, lines, "允许", "拒绝");
    const accepted = ok ? templates : [];
    const rejected = ok ? [] : templates;
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
    this.showBundle();
    this.showInstant();
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
    this.cards.feedback.body.querySelectorAll(".about").forEach((p) => { p.textContent = this.feedbackAbout(); });
    staff.watch(this.platform, filed.number);
    this.follow();
    this.cards.progress.card.scrollIntoView({ block: "start" });
  }

  // --- 6 progress and 7 pushes --------------------------------------------------------------
  follow() {
    const bundle = () => (this.bundleNumber ? this.showBundleFiled() : null);
    const tick = () => Promise.all([this.refresh(), this.pushes(), this.listFeedback(), bundle()]).catch(() => {});
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
    if (!this.ratingShown && detail.timeline.some((step) => step.invite_rating)) {
      this.ratingShown = true;
      this.showRating().catch((e) => { this.ratingShown = false; this.fail("rating", e); });
    }
  }

  template(message) {
    const kind = Object.keys(TEMPLATES).find((k) => (message.template_id || "").endsWith(k));
    return kind ? TEMPLATES[kind] : { title: "服务通知" };
  }

  async pushes() {
    const query = this.platform === "wechat" ? `openid=${encodeURIComponent(this.userId)}` : `open_id=${encodeURIComponent(this.userId)}`;
    const { messages } = await this.platformCall(`/sandbox/messages?${query}`);
    const body = this.cards.inbox.body;
    if (messages.length === this.seenPushes && body.querySelector(".push")) return;
    // newest first, as the sandboxes answer
    if (messages.length > this.seenPushes && this.seenPushes > 0) this.toast(`${this.p.app}服务通知：${this.template(messages[0]).title}`);
    this.seenPushes = messages.length;
    body.textContent = "";
    if (!messages.length) { body.appendChild(el("p", { class: "muted", text: "暂未收到通知" })); return; }
    messages.forEach((m) => {
      const template = this.template(m);
      const names = template[this.platform];
      const lines = Object.entries(m.data).map(([key, v], i) => {
        const name = (Array.isArray(names) ? names[i] : names && names[key]) || label(key, i);
        return `${name}：${typeof v === "object" && v !== null ? v.value : v}`;
      });
      // the push of a finished case opens the rating form (&rate=1)
      const rate = (m.page || "").includes("rate=1")
        ? el("button", { class: "link", text: "去评价 ›", onclick: () => this.cards.rating.card.scrollIntoView({ block: "start" }) })
        : null;
      body.appendChild(el("div", { class: "push" }, [el("div", { class: "from", text: `${this.p.app}服务通知 · ${template.title}` }), ...lines.map((v) => el("div", { class: "line", text: v })), rate]));
    });
    this.done("inbox", `${messages.length} 条`);
  }

  // --- 8 rating (好差评) ------------------------------------------------------------------
  async showRating() {
    const body = this.cards.rating.body;
    try {
      this.showRated(await this.api("GET", `/api/v1/applications/${this.number}/rating`));
      return;
    } catch (e) { /* not rated yet: offer the form */ }
    body.textContent = "";
    body.appendChild(el("p", { text: "您的办件已办结，请对本次办理服务作出评价。" }));
    let level = null;
    const choices = LEVELS.map(([value, text]) => el("button", {
      class: "level", "data-level": String(value), "aria-pressed": "false", text,
      onclick: () => {
        level = value;
        choices.forEach((b) => b.setAttribute("aria-pressed", String(b === choices[5 - value])));
      },
    }));
    body.appendChild(el("div", { class: "levels", role: "group", "aria-label": "满意程度" }, choices));
    body.appendChild(el("label", { text: "评价内容（选填）" }));
    const comment = el("textarea", { rows: "2", maxlength: "500", "aria-label": "评价内容", placeholder: "说说办理中的感受，我们会认真改进" });
    body.appendChild(comment);
    const submit = el("button", { class: "primary", text: "提交评价", onclick: () => this.rate(level, comment.value.trim(), submit).catch((e) => this.fail("rating", e)) });
    body.appendChild(el("div", { class: "row" }, [submit]));
    this.cards.rating.state.textContent = "待评价";
  }

  async rate(level, comment, submit) {
    if (!level) throw new Error("请先选择满意程度。");
    submit.disabled = true;
    try {
      await this.api("POST", `/api/v1/applications/${this.number}/rating`, { level, comment });
    } catch (e) { submit.disabled = false; throw e; }
    // show what the server recorded, as the mini-program would on reopening the case
    this.showRated(await this.api("GET", `/api/v1/applications/${this.number}/rating`));
  }

  showRated(rating) {
    const body = this.cards.rating.body;
    body.textContent = "";
    body.appendChild(el("p", { class: "rated", "data-level": String(rating.level) }, [
      el("span", { text: "您的评价：" }), el("b", { text: rating.level_text }),
    ]));
    if (rating.comment) body.appendChild(el("p", { class: "quote", text: rating.comment }));
    body.appendChild(el("p", { class: "muted", text: rating.level <= 2
      ? "感谢您的评价。办理部门会核实情况、改进服务，并与您联系。"
      : "感谢您的评价，欢迎继续使用江都城市服务。" }));
    this.done("rating", "已评价");
  }

  // --- 9 feedback (投诉建议, 我要纠错) ---------------------------------------------------------
  showFeedback() {
    const body = this.cards.feedback.body;
    body.textContent = "";
    body.appendChild(el("p", { class: "muted", text: "对服务有意见、建议，或发现办事指南有误，请告诉我们，部门会在规定时间内答复。" }));
    const kinds = Object.entries(KINDS).map(([kind, text]) => el("button", {
      class: "kind", "data-kind": kind, "aria-pressed": String(kind === this.feedbackKind), text,
      onclick: () => {
        this.feedbackKind = kind;
        kinds.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.kind === kind)));
        about.textContent = this.feedbackAbout();
      },
    }));
    body.appendChild(el("div", { class: "kinds", role: "group", "aria-label": "意见类型" }, kinds));
    const about = el("p", { class: "muted about", text: this.feedbackAbout() });
    body.appendChild(about);
    const content = el("textarea", { rows: "3", maxlength: "2000", "aria-label": "意见内容", placeholder: "请写下具体情况" });
    body.appendChild(content);
    const submit = el("button", { class: "primary", text: "提交", onclick: () => this.sendFeedback(content, submit).catch((e) => this.fail("feedback", e)) });
    body.appendChild(el("div", { class: "row" }, [submit]));
    this.feedbackList = el("div", { class: "feedback-list" });
    body.appendChild(this.feedbackList);
    this.cards.feedback.state.textContent = "随时可提";
    this.listFeedback().catch((e) => this.fail("feedback", e));
  }

  feedbackAbout() {
    if (this.feedbackKind === "correction") return `纠错事项：${this.item ? this.item.name : CONFIG.item.query}的办事指南`;
    return this.number ? `关联办件：${this.number}` : "不关联具体办件";
  }

  async sendFeedback(content, submit) {
    const text = content.value.trim();
    if (!text) throw new Error("请先写下您的意见。");
    const body = { kind: this.feedbackKind, content: text };
    if (this.feedbackKind === "correction") body.item_code = this.item ? this.item.code : CONFIG.item.code;
    else if (this.number) body.application_number = this.number;
    submit.disabled = true;
    try {
      if (this.replyTemplates.length) await this.askConsent("feedback", this.replyTemplates, ["意见答复通知"]);
      const filed = await this.api("POST", "/api/v1/feedback", body);
      content.value = "";
      this.toast(`已收到您的${KIND_NOUN[filed.kind]}，部门将于${localDate(filed.due_date)}前答复`);
    } finally { submit.disabled = false; }
    this.cards.feedback.body.querySelectorAll(".error").forEach((e) => e.remove());
    await this.listFeedback();
    staff.render();
  }

  async listFeedback() {
    const page = await this.api("GET", "/api/v1/feedback?page=1&per_page=5");
    const list = this.feedbackList;
    list.textContent = "";
    if (!page.items.length) { list.appendChild(el("p", { class: "muted", text: "您还没有提交过意见。" })); return; }
    list.appendChild(el("p", { class: "muted", text: `我的意见（共 ${page.total} 条）` }));
    page.items.forEach((f) => {
      list.appendChild(el("div", { class: "feedback", "data-id": String(f.id), "data-status": f.status }, [
        el("div", { class: "head" }, [el("b", { text: KIND_NOUN[f.kind] }), el("span", { class: `badge ${f.status}`, text: FEEDBACK_STATUS[f.status] || f.status })]),
        el("div", { class: "line", text: f.content }),
        f.reply
          ? el("div", { class: "reply", text: `部门答复：${f.reply}` })
          : el("div", { class: "muted", text: `${localTime(f.created_at)} 提交，部门将于${localDate(f.due_date)}前答复` }),
      ]));
    });
    this.done("feedback", `${page.total} 条`);
  }
}

// --- 10 one-thing bundle (一件事) and 11 instant approval (秒批) ------------------------------
Object.assign(Phone.prototype, {
  showBundle() {
    const body = this.cards.bundle.body;
    body.textContent = "";
    body.appendChild(el("p", { class: "muted", text: `${CONFIG.bundle.name}：一张表单、材料只交一次，相关部门同时办理，全部办结后只发一条通知。` }));
    body.appendChild(el("button", { class: "primary", text: `办理${CONFIG.bundle.name}`, onclick: () => this.openBundle().catch((e) => this.fail("bundle", e)) }));
  },

  async openBundle() {
    const bundle = await this.api("GET", `/api/v1/bundles/${encodeURIComponent(CONFIG.bundle.code)}`);
    const items = await Promise.all(bundle.items.map((code) => this.api("GET", `/api/v1/items/${encodeURIComponent(code)}`)));
    const body = this.cards.bundle.body;
    body.textContent = "";
    body.appendChild(el("p", { text: `${bundle.name}（${items.length}个事项，${new Set(items.map((i) => i.department.name)).size}个部门）` }));
    body.appendChild(el("ul", { class: "bundle-items" }, items.map((i) => el("li", { text: `${i.name} · ${i.department.name}` }))));
    const name = el("input", { value: "张小宝", "aria-label": "新生儿姓名" });
    body.appendChild(el("label", { text: "新生儿姓名" }));
    body.appendChild(name);
    const photos = {};
    bundle.materials.forEach((m) => {
      if (m.license_type) { body.appendChild(el("p", { class: "muted", text: `✓ ${m.name}：已从电子证照库自动获取` })); return; }
      if (!m.required) return;
      const img = el("img", { class: "photo", alt: m.name });
      const button = el("button", { class: "plain", text: "拍照上传", onclick: () => this.uploadTo(photos, m.name, img, button).catch((e) => this.fail("bundle", e)) });
      body.appendChild(el("label", { text: `${m.name}（各部门共用，只交一次）` }));
      body.appendChild(el("div", { class: "row" }, [img, button]));
    });
    const submit = el("button", { class: "primary", text: "一次提交", onclick: () => this.fileBundle(bundle, items, name.value, photos, submit).catch((e) => { submit.disabled = false; this.fail("bundle", e); }) });
    body.appendChild(el("div", { class: "row" }, [submit]));
    this.cards.bundle.state.textContent = "填写中";
  },

  async uploadTo(photos, name, img, button) {
    const saved = this.photos;
    this.photos = photos;
    try { await this.upload(name, img, button); } finally { this.photos = saved; }
  },

  async fileBundle(bundle, items, childName, photos, submit) {
    const missing = bundle.materials.filter((m) => m.required && !m.license_type && !photos[m.name]);
    if (missing.length) throw new Error(`请先上传：${missing.map((m) => m.name).join("、")}`);
    submit.disabled = true;
    const materials = Object.entries(photos).map(([name, file_id]) => ({ name, file_id }));
    const filed = await this.api("POST", `/api/v1/bundles/${encodeURIComponent(bundle.code)}/applications`, {
      form: { child_name: childName }, materials, delivery: { method: "ems", address: { ...ADDRESS, name: this.citizen.name } },
    });
    this.bundleNumber = filed.bundle_number;
    this.bundleItems = Object.fromEntries(items.map((i) => [i.code, i]));
    await this.showBundleFiled();
    this.done("bundle", `已提交 ${filed.applications.length} 件`);
  },

  async showBundleFiled() {
    const detail = await this.api("GET", `/api/v1/bundles/applications/${this.bundleNumber}`);
    const body = this.cards.bundle.body;
    body.textContent = "";
    body.appendChild(el("p", { text: `一件事编号 ${detail.bundle_number}` }));
    body.appendChild(el("ul", { class: "bundle-cases" }, detail.applications.map((a) => {
      const item = this.bundleItems[a.item_code] || { name: a.item_code, department: { name: "" } };
      return el("li", { "data-number": a.number, "data-status": a.status }, [
        el("b", { text: item.name }), el("span", { class: "muted", text: ` ${item.department.name} · ${a.number} · ` }),
        el("span", { class: "status", "data-status": a.status, text: STATUS[a.status] || a.status }),
      ]);
    })));
    body.appendChild(el("p", { class: "muted", text: detail.completed ? "全部办结，已发送一条办结通知。" : "各部门同时办理中，全部办结后会发送一条通知。" }));
  },

  showInstant() {
    const body = this.cards.instant.body;
    body.textContent = "";
    body.appendChild(el("p", { class: "muted", text: `${CONFIG.instant_item.name}：符合条件的，系统自动审批，提交即办结。` }));
    body.appendChild(el("button", { class: "primary", text: "申请（秒批）", onclick: (event) => this.fileInstant(event.target).catch((e) => { event.target.disabled = false; this.fail("instant", e); }) }));
  },

  async fileInstant(button) {
    button.disabled = true;
    const filed = await this.api("POST", "/api/v1/applications", {
      item_code: CONFIG.instant_item.code, form: { purpose: "办理贷款" }, materials: [],
      delivery: { method: "ems", address: { ...ADDRESS, name: this.citizen.name } },
    });
    const detail = await this.api("GET", `/api/v1/applications/${filed.number}`);
    const body = this.cards.instant.body;
    body.textContent = "";
    body.appendChild(el("p", { text: `办件编号 ${filed.number}` }));
    body.appendChild(el("p", {}, [el("span", { text: "审批结果：" }), el("span", { class: "status", "data-status": detail.status, text: STATUS[detail.status] || detail.status })]));
    body.appendChild(el("p", { class: "muted", text: detail.status === "approved" ? "符合全部条件，系统已自动批准，无需等待人工审核。" : "已转窗口工作人员审核，请留意办理进度。" }));
    body.appendChild(el("ul", { class: "timeline" }, detail.timeline.map((step) => el("li", {}, [el("time", { text: localTime(step.at) }), el("span", { text: step.note })]))));
    this.done("instant", STATUS[detail.status]);
  },
});

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
    const headers = { Authorization: `Bearer ${this.token}` };
    const rows = [];
    for (const [number, platform] of Object.entries(this.cases)) {
      const c = await (await fetch(`/api/v1/staff/applications/${number}`, { headers })).json();
      const next = NEXT[c.status];
      rows.push(el("div", { class: "case", "data-number": number }, [
        el("div", { text: `${PLATFORM[platform].app}市民 · ${number}` }),
        el("div", { class: "muted", text: `状态：${STATUS[c.status]}` }),
        el("div", { class: "row" }, next ? [el("button", { "data-action": next[0], text: next[1], onclick: () => this.act(number, next[0]) })] : [el("span", { class: "muted", text: "已办结" })]),
      ]));
    }
    // what citizens wrote to the department, waiting for an answer
    const answer = await fetch("/api/v1/staff/feedback?status=open", { headers });
    const open = answer.ok ? (await answer.json()).items : [];
    open.forEach((f) => rows.push(el("div", { class: "task", "data-feedback": String(f.id) }, [
      el("div", { text: `群众${KIND_NOUN[f.kind]} · ${localDate(f.due_date)}前答复` }),
      el("div", { class: "muted", text: f.content }),
      el("div", { class: "row" }, [el("button", { text: "答复", onclick: () => this.reply(f) })]),
    ])));
    if (!rows.length) rows.push(el("p", { class: "muted", text: "暂无待办办件" }));
    // replace at once: renders may overlap, the last one wins
    document.getElementById("staff-cases").replaceChildren(...rows);
  },
  async reply(f) {
    const text = f.kind === "correction" ? "感谢您的指正，我们已核实并更正办事指南。" : "感谢您的意见，我们已认真研究，会持续改进服务。";
    const response = await fetch(`/api/v1/staff/feedback/${f.id}/reply`, {
      method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ reply: text }),
    });
    if (!response.ok) alert((await response.json()).error.message);
    this.render();
  },
};

fetch("/demo/config.json").then((r) => r.json()).then((config) => {
  CONFIG = config;
  new Phone(document.getElementById("phone-wechat"), "wechat");
  new Phone(document.getElementById("phone-alipay"), "alipay");
});
