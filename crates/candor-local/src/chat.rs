//! The chat template embedded in the GGUF (`tokenizer.chat_template`), rendered with MiniJinja.

use candor_domain::{ChatMessage, Role};
use minijinja::{context, Environment};

use crate::LocalError;

/// ChatML, for models whose GGUF carries no template.
const CHATML: &str = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

pub struct ChatTemplate {
    env: Environment<'static>,
    bos: String,
    eos: String,
}

fn role(r: Role) -> &'static str {
    match r {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

impl ChatTemplate {
    pub fn new(source: Option<String>, bos: String, eos: String) -> Result<Self, LocalError> {
        let mut env = Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |msg: String| -> Result<String, minijinja::Error> {
                Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    msg,
                ))
            },
        );
        env.add_template_owned("chat", source.unwrap_or_else(|| CHATML.to_string()))
            .map_err(|e| LocalError::Template(e.to_string()))?;
        Ok(ChatTemplate { env, bos, eos })
    }

    /// Render `messages`; with `add_generation_prompt` the text ends where the assistant's
    /// answer starts.
    pub fn render(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, LocalError> {
        let msgs: Vec<_> = messages
            .iter()
            .map(|m| context! { role => role(m.role), content => m.content.clone() })
            .collect();
        let tmpl = self
            .env
            .get_template("chat")
            .map_err(|e| LocalError::Template(e.to_string()))?;
        tmpl.render(context! {
            messages => msgs,
            add_generation_prompt => add_generation_prompt,
            bos_token => self.bos.clone(),
            eos_token => self.eos.clone(),
        })
        .map_err(|e| LocalError::Template(e.to_string()))
    }
}
