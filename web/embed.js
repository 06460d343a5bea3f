/* placeholder: replaced by the widget script */
