/** Learning actions (lesson done, quiz answers). */
export const learningActions = {};
