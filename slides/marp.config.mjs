// Marp CLI's configuration for slides/build (which passes the browser and the files).
// breaks: false — a newline inside a paragraph is a space, as in any Markdown, not a <br>.
export default {
  html: true,
  allowLocalFiles: true,
  themeSet: ['./theme'],
  options: {
    markdown: { breaks: false },
  },
};
