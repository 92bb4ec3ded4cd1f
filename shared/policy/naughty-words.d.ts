declare module 'naughty-words' {
  /** Language code → word list. Declared loosely: the resolver checks the shape. */
  const lists: Readonly<Record<string, unknown>>;
  export default lists;
}
