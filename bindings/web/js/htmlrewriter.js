// HTMLRewriter as workerd has it. These classes check arguments and hand
// each operation to the Go engine (htmlrewriter_engine.go), which decides
// what is written. rewrite() feeds the engine the body as it arrives and
// drives it one handler call at a time, waiting for handlers that return a
// promise.
(function (native) {
  "use strict";
  const { Response, Headers, ReadableStream } = native;
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });

  const staleMessage = "This content token is no longer valid. Content tokens are only valid during the execution of the relevant content handler.";
  const BEFORE = 0, AFTER = 1, PREPEND = 2, APPEND = 3, REPLACE = 4, SET_INNER = 5;

  // content is what a content argument becomes: a string (workerd refuses
  // streams and Responses here).
  const content = (c) => {
    if (c instanceof ReadableStream || c instanceof Response) {
      throw new TypeError("Replacing HTML content using a ReadableStream or Response object is not implemented. You must provide a string.");
    }
    return `${c}`;
  };
  const isHTML = (options) => options !== undefined && options !== null && !!options.html;

  // Every object a handler receives is valid only until the handler returns
  // (or its promise settles).
  const key = Symbol("token");
  let unitOf, expire, runOf;
  class ContentToken {
    #unit;
    #run;
    #valid = true;
    constructor(k, unit, run) {
      if (k !== key) throw new TypeError("Illegal constructor");
      this.#unit = unit;
      this.#run = run;
    }
    static {
      unitOf = (t) => {
        if (!(t instanceof ContentToken)) throw new TypeError("Illegal invocation");
        if (!t.#valid) throw new TypeError(staleMessage);
        return t.#unit;
      };
      expire = (t) => { t.#valid = false; };
      runOf = (t) => t.#run;
    }
  }

  class Element extends ContentToken {
    get tagName() { return native.tagName(unitOf(this)); }
    set tagName(name) { native.setTagName(unitOf(this), `${name}`); }
    get attributes() { return native.attributes(unitOf(this))[Symbol.iterator](); }
    get removed() { return native.removed(unitOf(this)); }
    get namespaceURI() { return native.elementInfo(unitOf(this))[0]; }
    get selfClosing() { return native.elementInfo(unitOf(this))[1]; }
    get canHaveContent() { return native.elementInfo(unitOf(this))[2]; }
    getAttribute(name) { return native.getAttribute(unitOf(this), `${name}`); }
    hasAttribute(name) { return native.hasAttribute(unitOf(this), `${name}`); }
    setAttribute(name, value) { native.setAttribute(unitOf(this), `${name}`, `${value}`); return this; }
    removeAttribute(name) { native.removeAttribute(unitOf(this), `${name}`); return this; }
    before(c, options = undefined) { native.mutate(unitOf(this), BEFORE, content(c), isHTML(options)); return this; }
    after(c, options = undefined) { native.mutate(unitOf(this), AFTER, content(c), isHTML(options)); return this; }
    prepend(c, options = undefined) { native.mutate(unitOf(this), PREPEND, content(c), isHTML(options)); return this; }
    append(c, options = undefined) { native.mutate(unitOf(this), APPEND, content(c), isHTML(options)); return this; }
    replace(c, options = undefined) { native.mutate(unitOf(this), REPLACE, content(c), isHTML(options)); return this; }
    setInnerContent(c, options = undefined) { native.mutate(unitOf(this), SET_INNER, content(c), isHTML(options)); return this; }
    remove() { native.remove(unitOf(this), false); return this; }
    removeAndKeepContent() { native.remove(unitOf(this), true); return this; }
    onEndTag(handler) {
      const unit = unitOf(this);
      if (typeof handler !== "function") {
        throw new TypeError("Failed to execute 'onEndTag' on 'Element': parameter 1 is not of type 'Function'.");
      }
      const handlers = runOf(this);
      native.onEndTag(unit, handlers.length);
      handlers.push({ fn: handler, self: undefined });
    }
  }
  tag(Element, "Element");

  class EndTag extends ContentToken {
    get name() { return native.endTagName(unitOf(this)); }
    set name(name) { native.setEndTagName(unitOf(this), `${name}`); }
    before(c, options = undefined) { native.mutate(unitOf(this), BEFORE, content(c), isHTML(options)); return this; }
    after(c, options = undefined) { native.mutate(unitOf(this), AFTER, content(c), isHTML(options)); return this; }
    remove() { native.remove(unitOf(this), false); return this; }
  }
  tag(EndTag, "EndTag");

  class Text extends ContentToken {
    get text() { return native.text(unitOf(this)); }
    get lastInTextNode() { return native.lastInTextNode(unitOf(this)); }
    get removed() { return native.removed(unitOf(this)); }
    before(c, options = undefined) { native.mutate(unitOf(this), BEFORE, content(c), isHTML(options)); return this; }
    after(c, options = undefined) { native.mutate(unitOf(this), AFTER, content(c), isHTML(options)); return this; }
    replace(c, options = undefined) { native.mutate(unitOf(this), REPLACE, content(c), isHTML(options)); return this; }
    remove() { native.remove(unitOf(this), false); return this; }
  }
  tag(Text, "Text");

  class Comment extends ContentToken {
    get text() { return native.text(unitOf(this)); }
    set text(text) { native.setCommentText(unitOf(this), `${text}`); }
    get removed() { return native.removed(unitOf(this)); }
    before(c, options = undefined) { native.mutate(unitOf(this), BEFORE, content(c), isHTML(options)); return this; }
    after(c, options = undefined) { native.mutate(unitOf(this), AFTER, content(c), isHTML(options)); return this; }
    replace(c, options = undefined) { native.mutate(unitOf(this), REPLACE, content(c), isHTML(options)); return this; }
    remove() { native.remove(unitOf(this), false); return this; }
  }
  tag(Comment, "Comment");

  class Doctype extends ContentToken {
    get name() { return native.doctype(unitOf(this))[0]; }
    get publicId() { return native.doctype(unitOf(this))[1]; }
    get systemId() { return native.doctype(unitOf(this))[2]; }
  }
  tag(Doctype, "Doctype");

  class DocumentEnd extends ContentToken {
    append(c, options = undefined) { native.mutate(unitOf(this), APPEND, content(c), isHTML(options)); return this; }
  }
  tag(DocumentEnd, "DocumentEnd");

  // Handler kinds, numbered as the engine's hrKind.
  const tokenClasses = [Element, Comment, Text, Doctype, DocumentEnd, EndTag];

  const isThenable = (v) => v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";

  // rewrite feeds src to the engine as it arrives, makes the handler calls
  // the engine asks for, and enqueues the output on controller as it is
  // made. state.cancelled stops it.
  async function rewrite(run, src, handlers, controller, state) {
    const flush = () => {
      const out = native.output(run);
      if (out !== null) controller.enqueue(out);
    };
    try {
      state.reader = src.getReader();
      for (;;) {
        if (state.cancelled) return;
        const call = native.next(run);
        if (call === null) break;
        if (call === false) {
          flush();
          // Backpressure: read on only once the output is being read.
          while (controller.desiredSize !== null && controller.desiredSize <= 0 && !state.cancelled) {
            await new Promise((wake) => { state.wake = wake; });
          }
          if (state.cancelled) return;
          const { value, done } = await state.reader.read();
          if (done) native.end(run);
          else native.write(run, value);
          continue;
        }
        // (Indexing: destructuring walks an iterator, slow in goja.)
        const h = handlers[call[0]];
        const token = new tokenClasses[call[1]](key, call[2], handlers);
        try {
          const r = h.fn.call(h.self, token);
          if (isThenable(r)) {
            flush();
            await r;
          }
        } finally {
          expire(token);
        }
      }
      flush();
      controller.close();
    } catch (err) {
      if (!state.cancelled) {
        controller.error(err);
        state.reader.cancel(err).catch(() => {});
      }
    }
  }

  // handlerId registers the function handlers[field] (this = handlers) and
  // returns its id, or -1 when there is none.
  const handlerId = (table, handlers, field, dict) => {
    if (handlers === null) return -1;
    const fn = handlers[field];
    if (fn === undefined) return -1;
    if (typeof fn !== "function") {
      throw new TypeError(`Incorrect type for the '${field}' field on '${dict}': the provided value is not of type 'function'.`);
    }
    table.push({ fn, self: handlers });
    return table.length - 1;
  };
  const checkHandlers = (handlers, method, dict, position) => {
    if (handlers === undefined || (handlers !== null && typeof handlers !== "object" && typeof handlers !== "function")) {
      throw new TypeError(`Failed to execute '${method}' on 'HTMLRewriter': parameter ${position} is not of type '${dict}'.`);
    }
  };

  // HTMLRewriter is a plain constructor function, not a class, so that a
  // call without new fails with workerd's message.
  const rewriters = new WeakMap(); // HTMLRewriter -> {handlers, specs, docs}
  const stateOf = (rw) => {
    const st = rewriters.get(rw);
    if (st === undefined) throw new TypeError("Illegal invocation");
    return st;
  };

  function HTMLRewriter() {
    if (new.target === undefined) {
      throw new TypeError("Failed to construct 'HTMLRewriter': Please use the 'new' operator, this object constructor cannot be called as a function.");
    }
    // handlers: {fn, self} by id; specs: [selector, elementId, commentsId,
    // textId]; docs: [doctypeId, commentsId, textId, endId].
    rewriters.set(this, { handlers: [], specs: [], docs: [] });
  }

  const methods = {
    on(selector, handlers) {
      const st = stateOf(this);
      checkHandlers(handlers, "on", "ElementContentHandlers", 2);
      const table = st.handlers.slice();
      const ids = ["element", "comments", "text"].map((f) => handlerId(table, handlers, f, "ElementContentHandlers"));
      const compiled = native.compile(`${selector}`);
      st.handlers = table;
      st.specs.push([compiled, ...ids]);
      return this;
    },

    onDocument(handlers) {
      const st = stateOf(this);
      checkHandlers(handlers, "onDocument", "DocumentContentHandlers", 1);
      const table = st.handlers.slice();
      const ids = ["doctype", "comments", "text", "end"].map((f) => handlerId(table, handlers, f, "DocumentContentHandlers"));
      st.handlers = table;
      st.docs.push(ids);
      return this;
    },

    transform(response) {
      const st = stateOf(this);
      if (!(response instanceof Response)) {
        throw new TypeError("Failed to execute 'transform' on 'HTMLRewriter': parameter 1 is not of type 'Response'.");
      }
      if (response.bodyUsed) throw new TypeError("The ReadableStream has been locked to a reader.");
      // The rewritten body has another length; the rest of the head stays.
      const headers = new Headers(response.headers);
      headers.delete("content-length");
      const init = { status: response.status, statusText: response.statusText, headers };
      const src = response.body;
      if (src === null) return new Response(null, init);
      const run = native.newRun(st.specs, st.docs, response.headers.get("content-type") ?? "");
      const state = { cancelled: false, reader: null, wake: null };
      const wake = () => {
        const w = state.wake;
        state.wake = null;
        if (w !== null) w();
      };
      let controller;
      const body = new ReadableStream({
        start(c) { controller = c; },
        pull: wake,
        cancel(reason) {
          state.cancelled = true;
          if (state.reader !== null) state.reader.cancel(reason).catch(() => {});
          wake();
        },
      });
      rewrite(run, src, st.handlers.slice(), controller, state);
      return new Response(body, init);
    },
  };
  for (const name of Object.keys(methods)) {
    Object.defineProperty(HTMLRewriter.prototype, name, { value: methods[name], writable: true, configurable: true });
  }

  return { HTMLRewriter };
})
